using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.Package;

/// <summary>
/// The package as a user gets it: <c>dotnet pack src/Runtime</c>, then a fresh project that installs
/// the .nupkg from a folder feed, next to Npgsql, and builds. Slow (two child builds), so the tests
/// carry <c>Category=Package</c>: <c>dotnet test tests/PgBorrow.Tests --filter Category=Package</c>.
/// </summary>
public sealed class PackageInstallTests : IClassFixture<PackageInstallFixture>
{
    static readonly string[] AnalyzerAssemblies = ["PgBorrow.Analyzers.dll", "PgBorrow.CodeFixes.dll", "PgBorrow.Generators.dll"];

    readonly PackageInstallFixture fixture;

    public PackageInstallTests(PackageInstallFixture fixture) => this.fixture = fixture;

    [Fact]
    [Trait("Category", "Package")]
    public void Package_carries_the_runtime_in_lib_and_the_roslyn_components_in_analyzers()
    {
        var package = fixture.Package;
        var entries = package.Entries;
        var listing = "Package entries:\n  " + string.Join("\n  ", entries);

        foreach (var tfm in new[] { "net8.0", "net10.0" })
            Assert.True(entries.Contains($"lib/{tfm}/PgBorrow.dll"), $"lib/{tfm}/PgBorrow.dll is missing.\n{listing}");
        Assert.True(entries.Contains("README.md"), $"The package README is missing.\n{listing}");

        // Exactly the three Roslyn assemblies, each once, under analyzers/dotnet/cs, and nothing else
        // under analyzers/ (no Roslyn itself, no copy per target framework).
        var analyzerEntries = entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).ToList();
        Assert.True(
            analyzerEntries.OrderBy(e => e, StringComparer.Ordinal).SequenceEqual(AnalyzerAssemblies.Select(a => "analyzers/dotnet/cs/" + a).OrderBy(e => e, StringComparer.Ordinal)),
            $"analyzers/ should hold exactly {string.Join(", ", AnalyzerAssemblies)} under dotnet/cs.\n{listing}");

        // The Roslyn projects are netstandard2.0 and must not show up as runtime libraries.
        var unexpectedLib = entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)
            && !e.StartsWith("lib/net8.0/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/", StringComparison.Ordinal)).ToList();
        Assert.True(unexpectedLib.Count == 0, $"Unexpected lib/ entries: {string.Join(", ", unexpectedLib)}\n{listing}");
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Package_depends_on_Npgsql_8_0_5_or_later_and_nothing_else()
    {
        var nuspec = fixture.Package.Nuspec;
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var groups = nuspec.Descendants(ns + "dependencies").Elements(ns + "group").ToList();
        var text = nuspec.ToString();

        Assert.True(
            groups.Select(g => (string?)g.Attribute("targetFramework")).OrderBy(t => t, StringComparer.Ordinal).SequenceEqual(["net10.0", "net8.0"]),
            $"Expected dependency groups for net8.0 and net10.0.\n{text}");
        foreach (var group in groups)
        {
            var dependencies = group.Elements(ns + "dependency")
                .Select(d => ((string?)d.Attribute("id"), (string?)d.Attribute("version")))
                .ToList();
            Assert.True(
                dependencies.SequenceEqual([("Npgsql", "8.0.5")]),
                $"Group {(string?)group.Attribute("targetFramework")} should depend on Npgsql 8.0.5 (a floor) only.\n{text}");
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Consumer_restores_the_package_and_its_compiler_loads_the_packaged_analyzers()
    {
        var build = fixture.ConsumerBuild;
        Assert.True(build.Succeeded, "The consumer project did not build.\n" + build.Describe());

        var installed = Path.Combine(fixture.ConsumerPackagesPath, "pgborrow", fixture.Version.ToLowerInvariant());
        Assert.True(Directory.Exists(installed), $"The package was not restored into {installed}.\n" + build.Describe(60));

        // ReportAnalyzer's section in the detailed log lists every analyzer the compiler ran.
        var report = fixture.ConsumerAnalyzerReport;
        foreach (var expected in new[] { "PgBorrow.Analyzers, Version=", "PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer (PGB001)" })
        {
            Assert.True(
                report.Contains(expected, StringComparison.Ordinal),
                $"The consumer's compiler did not run '{expected}'. Analyzer report from {fixture.ConsumerDetailedLogPath}:\n{report}");
        }
    }

    /// <remarks>
    /// Fails until the ownership engine lands: today the rule analyzers are stubs that report nothing.
    /// </remarks>
    [Fact]
    [Trait("Category", "Package")]
    public void Consumer_build_reports_PGB001_for_a_transaction_that_is_never_completed()
    {
        var build = fixture.ConsumerBuild;
        Assert.True(build.Succeeded, "The consumer project did not build.\n" + build.Describe());
        Assert.True(
            build.Output.Contains("warning PGB001", StringComparison.Ordinal),
            "Expected `warning PGB001` for the transaction begun in Orders.MarkShipped and never committed, rolled back or disposed.\n"
            + build.Describe());
    }
}

/// <summary>
/// Packs once and builds the consumer once for all tests in <see cref="PackageInstallTests"/>.
/// Everything lives in one fresh temp folder: the feed, the consumer project and its private
/// packages folder. The package gets a version no earlier run used, so no NuGet cache can serve
/// a stale copy. Set <c>PGBORROW_KEEP_PACKAGE_TEST=1</c> to keep the folder for inspection.
/// </summary>
public sealed class PackageInstallFixture : IDisposable
{
    const string NpgsqlVersion = "10.0.3";

    readonly Lazy<PackedPackage> package;
    readonly Lazy<ProcessResult> consumerBuild;

    public PackageInstallFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "pgborrow-package-test-" + Guid.NewGuid().ToString("N")[..12]);
        Version = $"0.0.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Guid.NewGuid().ToString("N")[..8]}";
        FeedPath = Path.Combine(Root, "feed");
        ConsumerPath = Path.Combine(Root, "consumer");
        ConsumerPackagesPath = Path.Combine(Root, "packages");
        ConsumerDetailedLogPath = Path.Combine(Root, "consumer-build.detailed.log");
        Directory.CreateDirectory(Root);

        package = new Lazy<PackedPackage>(PackRuntime);
        consumerBuild = new Lazy<ProcessResult>(BuildConsumer);
    }

    public string Root { get; }
    public string Version { get; }
    public string FeedPath { get; }
    public string ConsumerPath { get; }
    public string ConsumerPackagesPath { get; }
    public string ConsumerDetailedLogPath { get; }

    internal PackedPackage Package => package.Value;

    internal ProcessResult ConsumerBuild => consumerBuild.Value;

    /// <summary>The "Total analyzer execution time" section of the consumer's detailed build log.</summary>
    public string ConsumerAnalyzerReport
    {
        get
        {
            _ = ConsumerBuild;
            if (!File.Exists(ConsumerDetailedLogPath))
                return "(no detailed log was written)";
            var lines = File.ReadAllLines(ConsumerDetailedLogPath);
            var start = Array.FindIndex(lines, l => l.Contains("Total analyzer execution time", StringComparison.Ordinal));
            if (start < 0)
                return "(the detailed log has no analyzer report)";
            var end = Array.FindIndex(lines, start, l => l.Contains("Total generator execution time", StringComparison.Ordinal));
            return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
        }
    }

    PackedPackage PackRuntime()
    {
        var repositoryRoot = TestReferences.RepositoryRoot;
        var project = Path.Combine(repositoryRoot, "src", "Runtime", "PgBorrow.csproj");
        Assert.True(File.Exists(project), $"The runtime project is not at {project} (RepositoryRoot = {repositoryRoot}).");

        var pack = DotnetProcess.Run(repositoryRoot,
        [
            "pack", project, "-c", "Release", "-o", FeedPath, $"-p:PackageVersion={Version}",
            "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ]);
        var nupkg = Path.Combine(FeedPath, $"PgBorrow.{Version}.nupkg");
        Assert.True(pack.Succeeded && File.Exists(nupkg), $"Packing failed or wrote no {Path.GetFileName(nupkg)}.\n" + pack.Describe());

        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        var duplicates = entries.GroupBy(e => e, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "The package holds some files twice: " + string.Join(", ", duplicates));

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !e.FullName.Contains('/'));
        using var nuspecStream = nuspecEntry.Open();
        return new PackedPackage(nupkg, entries.ToHashSet(StringComparer.Ordinal), XDocument.Load(nuspecStream));
    }

    ProcessResult BuildConsumer()
    {
        _ = Package; // the feed must exist first
        Directory.CreateDirectory(ConsumerPath);

        // Stop MSBuild's upward search here: nothing from the temp folder's parents may apply.
        File.WriteAllText(Path.Combine(ConsumerPath, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(ConsumerPath, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(ConsumerPath, "Directory.Packages.props"), "<Project />\n");

        // The folder feed serves PgBorrow and nothing else; everything else comes from the machine's
        // usual source (nuget.org, or the mirror that answers for it).
        File.WriteAllText(Path.Combine(ConsumerPath, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="pgborrow-under-test" value="{FeedPath}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="pgborrow-under-test"><package pattern="PgBorrow" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        File.WriteAllText(Path.Combine(ConsumerPath, "PackageConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestorePackagesPath>{ConsumerPackagesPath}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Npgsql" Version="{NpgsqlVersion}" />
                <PackageReference Include="PgBorrow" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(ConsumerPath, "Orders.cs"), """
            using Npgsql;
            using PgBorrow;

            namespace PackageConsumer;

            public static class Orders
            {
                // PGB001: the transaction is begun and then neither committed, rolled back nor disposed.
                public static void MarkShipped(NpgsqlConnection conn, int orderId)
                {
                    var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    cmd.Parameters.AddWithValue(orderId);
                    cmd.ExecuteNonQuery();
                }

                // Compiles only if lib/ is referenced: [Owned] comes from the runtime assembly.
                public static void Complete([Owned] NpgsqlTransaction tx) => tx.Commit();
            }
            """);

        return DotnetProcess.Run(ConsumerPath,
            [
                "build", "--no-incremental", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                "-p:ReportAnalyzer=true", $"-flp:Verbosity=detailed;LogFile={ConsumerDetailedLogPath}",
            ],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = ConsumerPackagesPath });
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("PGBORROW_KEEP_PACKAGE_TEST") == "1")
            return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

internal sealed record PackedPackage(string Path, IReadOnlySet<string> Entries, XDocument Nuspec);
