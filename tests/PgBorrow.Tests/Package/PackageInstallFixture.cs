using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using PgBorrow.Cli.Metadata;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.Package;

/// <summary>
/// Packs once and builds the consumers once (one <c>dotnet build</c> of a solution holding all three)
/// for all tests in <see cref="PackageInstallTests"/>. Everything lives in one fresh temp folder: the
/// feed, the consumer projects and their private packages folder, which falls back to the machine's
/// global packages folder for everything already restored there (Npgsql, reference packs), so only
/// the packages under test are extracted. The packages get a version no earlier run used, so no
/// NuGet cache can serve a stale copy. Set <c>PGBORROW_KEEP_PACKAGE_TEST=1</c> to keep the folder.
/// </summary>
public sealed class PackageInstallFixture : IDisposable
{
    readonly Lazy<IReadOnlyDictionary<string, PackedPackage>> packages;
    readonly Lazy<ProcessResult> consumersBuild;

    public PackageInstallFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "pgborrow-package-test-" + Guid.NewGuid().ToString("N")[..12]);
        Version = $"0.0.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Guid.NewGuid().ToString("N")[..8]}";
        FeedPath = Path.Combine(Root, "feed");
        ConsumersPath = Path.Combine(Root, "consumers");
        ConsumerPackagesPath = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Root);

        packages = new Lazy<IReadOnlyDictionary<string, PackedPackage>>(Pack);
        consumersBuild = new Lazy<ProcessResult>(BuildConsumers);
    }

    public string Root { get; }
    public string Version { get; }
    public string FeedPath { get; }
    public string ConsumersPath { get; }
    public string ConsumerPackagesPath { get; }

    internal PackedPackage RuntimePackage => packages.Value["PgBorrow"];

    internal PackedPackage AnalyzersPackage => packages.Value["PgBorrow.Analyzers"];

    internal ProcessResult ConsumersBuild => consumersBuild.Value;

    /// <summary>The diagnostics of the consumer's compilation, from the SARIF log the compiler wrote.</summary>
    internal IReadOnlyList<(string Id, int Line, string Level)> Diagnostics(PackageConsumer consumer)
    {
        _ = ConsumersBuild;
        var sarifPath = Path.Combine(ConsumerDirectory(consumer), "diagnostics.sarif");
        Assert.True(File.Exists(sarifPath), $"{consumer.Name} wrote no {sarifPath}.\n" + ConsumersBuild.Describe(80));

        using var sarif = JsonDocument.Parse(File.ReadAllText(sarifPath));
        var diagnostics = new List<(string, int, string)>();
        foreach (var run in sarif.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out var results))
                continue;
            foreach (var result in results.EnumerateArray())
            {
                var id = result.GetProperty("ruleId").GetString() ?? "";
                var line = 0;
                if (result.TryGetProperty("locations", out var locations) && locations.GetArrayLength() > 0)
                {
                    var location = locations[0].GetProperty("physicalLocation");
                    var file = location.GetProperty("artifactLocation").GetProperty("uri").GetString() ?? "";
                    Assert.True(file.EndsWith(PackageConsumer.SourceFileName, StringComparison.Ordinal), $"{consumer.Name}: {id} is reported in {file}.");
                    line = location.GetProperty("region").GetProperty("startLine").GetInt32();
                }
                // SARIF's level: error, warning or note (an Info diagnostic); "warning" when left out.
                var level = result.TryGetProperty("level", out var levelValue) ? levelValue.GetString() ?? "" : "warning";
                diagnostics.Add((id, line, level));
            }
        }
        return diagnostics;
    }

    /// <summary>The <c>Analyzer</c> items the consumer's compile step got (written by a target in its project).</summary>
    internal IReadOnlyList<string> AnalyzerPaths(PackageConsumer consumer)
    {
        _ = ConsumersBuild;
        var listPath = Path.Combine(ConsumerDirectory(consumer), "analyzers.txt");
        Assert.True(File.Exists(listPath), $"{consumer.Name} wrote no {listPath}.\n" + ConsumersBuild.Describe(80));
        return File.ReadAllLines(listPath).Where(line => line.Length > 0).Select(Path.GetFullPath).ToList();
    }

    string ConsumerDirectory(PackageConsumer consumer) => Path.Combine(ConsumersPath, consumer.Name);

    /// <summary>`dotnet pack src/Runtime`, which packs the PgBorrow.Analyzers dependency beside it.</summary>
    IReadOnlyDictionary<string, PackedPackage> Pack()
    {
        var repositoryRoot = TestReferences.RepositoryRoot;
        var project = Path.Combine(repositoryRoot, "src", "Runtime", "PgBorrow.csproj");
        Assert.True(File.Exists(project), $"The runtime project is not at {project} (RepositoryRoot = {repositoryRoot}).");

        var pack = DotnetProcess.Run(repositoryRoot,
        [
            "pack", project, "-c", "Release", "-o", FeedPath, $"-p:PackageVersion={Version}",
            "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ]);

        var packed = new Dictionary<string, PackedPackage>(StringComparer.Ordinal);
        foreach (var id in new[] { "PgBorrow", "PgBorrow.Analyzers" })
        {
            var nupkg = Path.Combine(FeedPath, $"{id}.{Version}.nupkg");
            Assert.True(pack.Succeeded && File.Exists(nupkg), $"Packing failed or wrote no {Path.GetFileName(nupkg)}.\n" + pack.Describe());
            packed[id] = PackedPackage.Read(id, nupkg);
        }
        return packed;
    }

    ProcessResult BuildConsumers()
    {
        _ = packages.Value; // the feed must exist first
        Directory.CreateDirectory(ConsumersPath);

        // Stop MSBuild's upward search here: nothing from the temp folder's parents may apply.
        File.WriteAllText(Path.Combine(ConsumersPath, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(ConsumersPath, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(ConsumersPath, "Directory.Packages.props"), "<Project />\n");

        // The folder feed serves the packages under test and nothing else; everything else comes from
        // the machine's usual source (nuget.org, or the mirror that answers for it).
        File.WriteAllText(Path.Combine(ConsumersPath, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="pgborrow-under-test" value="{FeedPath}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="pgborrow-under-test">
                  <package pattern="PgBorrow" />
                  <package pattern="PgBorrow.Analyzers" />
                </packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        var solution = new List<string> { "<Solution>" };
        foreach (var consumer in PackageConsumer.All)
        {
            var directory = ConsumerDirectory(consumer);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, consumer.Name + ".csproj"), ProjectFile(consumer));
            File.WriteAllText(Path.Combine(directory, PackageConsumer.SourceFileName), consumer.Source);
            foreach (var (fileName, content) in consumer.PreparedStatements)
            {
                Directory.CreateDirectory(Path.Combine(directory, StatementFile.FolderName));
                File.WriteAllBytes(Path.Combine(directory, StatementFile.FolderName, fileName), content);
            }
            solution.Add($"""  <Project Path="{consumer.Name}/{consumer.Name}.csproj" />""");
        }
        solution.Add("</Solution>");
        File.WriteAllLines(Path.Combine(ConsumersPath, "Consumers.slnx"), solution);

        return DotnetProcess.Run(ConsumersPath,
            ["build", "Consumers.slnx", "--no-incremental", "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = ConsumerPackagesPath });
    }

    string ProjectFile(PackageConsumer consumer)
    {
        var references = string.Join("\n    ", consumer.Installs.Select(install => install.PrivateAssets is null
            ? $"""<PackageReference Include="{install.PackageId}" Version="{Version}" />"""
            : $"""<PackageReference Include="{install.PackageId}" Version="{Version}" PrivateAssets="{install.PrivateAssets}" />"""));
        var nullable = consumer.TargetFramework.StartsWith("netstandard", StringComparison.Ordinal) ? "disable" : "enable";
        var properties = string.Concat(consumer.Properties.Select(property => $"\n    <{property.Key}>{property.Value}</{property.Key}>"));
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>{consumer.TargetFramework}</TargetFramework>
                <Nullable>{nullable}</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestorePackagesPath>{ConsumerPackagesPath}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{TestReferences.NuGetPackageRoot}</RestoreAdditionalProjectFallbackFolders>
                <ErrorLog>$(MSBuildProjectDirectory)/diagnostics.sarif,version=2.1</ErrorLog>{properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Npgsql" Version="{consumer.NpgsqlVersion}" />
                {references}
              </ItemGroup>
              <Target Name="ListAnalyzers" BeforeTargets="CoreCompile">
                <WriteLinesToFile File="$(MSBuildProjectDirectory)/analyzers.txt" Lines="@(Analyzer->'%(FullPath)')" Overwrite="true" />
              </Target>
            </Project>
            """;
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

/// <summary>A packed .nupkg: its entries and its nuspec.</summary>
internal sealed record PackedPackage(string Id, string Path, IReadOnlySet<string> Entries, XDocument Nuspec)
{
    public XNamespace Ns => Nuspec.Root!.Name.Namespace;

    /// <summary>The entries under analyzers/, sorted.</summary>
    public IReadOnlyList<string> AnalyzerEntries => Entries
        .Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal))
        .OrderBy(e => e, StringComparer.Ordinal)
        .ToList();

    public string Listing => $"{Id} entries:\n  " + string.Join("\n  ", Entries.OrderBy(e => e, StringComparer.Ordinal));

    /// <summary>The text of a direct child of the nuspec's &lt;metadata&gt;, or null.</summary>
    public string? Metadata(string name) => (string?)Nuspec.Root!.Element(Ns + "metadata")?.Element(Ns + name);

    public static PackedPackage Read(string id, string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        var duplicates = entries.GroupBy(e => e, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{id} holds some files twice: " + string.Join(", ", duplicates));

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !e.FullName.Contains('/'));
        using var nuspecStream = nuspecEntry.Open();
        return new PackedPackage(id, nupkg, entries.ToHashSet(StringComparer.Ordinal), XDocument.Load(nuspecStream));
    }
}
