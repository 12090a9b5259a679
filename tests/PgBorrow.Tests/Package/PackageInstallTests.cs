using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace PgBorrow.Tests.Package;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack src/Runtime</c> writes PgBorrow and
/// PgBorrow.Analyzers to a folder feed, then fresh projects on netstandard2.0, net8.0 and net10.0
/// install them next to Npgsql and build a file of known mistakes. Slow (a pack and a build of three
/// small projects), so the tests carry <c>Category=Package</c>:
/// <c>dotnet test tests/PgBorrow.Tests --filter Category=Package</c>.
/// </summary>
public sealed class PackageInstallTests : IClassFixture<PackageInstallFixture>
{
    const string RepositoryUrl = "https://github.com/pgborrow/pgborrow";

    readonly PackageInstallFixture fixture;

    public PackageInstallTests(PackageInstallFixture fixture) => this.fixture = fixture;

    public static TheoryData<string> ConsumerNames()
    {
        var data = new TheoryData<string>();
        foreach (var consumer in PackageConsumer.All)
            data.Add(consumer.Name);
        return data;
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Runtime_package_carries_the_runtime_in_lib_and_only_the_generators_in_analyzers()
    {
        var package = fixture.RuntimePackage;
        foreach (var tfm in new[] { "net8.0", "net10.0" })
            Assert.True(package.Entries.Contains($"lib/{tfm}/PgBorrow.dll"), $"lib/{tfm}/PgBorrow.dll is missing.\n{package.Listing}");
        Assert.True(package.Entries.Contains("README.md"), $"The package README is missing.\n{package.Listing}");

        // The generators' output uses the runtime's types, so they travel with it; the analyzers and
        // code fixes come from the PgBorrow.Analyzers dependency, and a second copy here would load twice.
        Assert.True(
            package.AnalyzerEntries.SequenceEqual(["analyzers/dotnet/cs/PgBorrow.Generators.dll"]),
            $"analyzers/ should hold exactly PgBorrow.Generators.dll under dotnet/cs.\n{package.Listing}");

        var unexpectedLib = package.Entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)
            && !e.StartsWith("lib/net8.0/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/", StringComparison.Ordinal)).ToList();
        Assert.True(unexpectedLib.Count == 0, $"Unexpected lib/ entries: {string.Join(", ", unexpectedLib)}\n{package.Listing}");
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Analyzers_package_carries_the_analyzers_and_code_fixes_and_no_lib()
    {
        var package = fixture.AnalyzersPackage;
        Assert.True(
            package.AnalyzerEntries.SequenceEqual(["analyzers/dotnet/cs/PgBorrow.Analyzers.dll", "analyzers/dotnet/cs/PgBorrow.CodeFixes.dll"]),
            $"analyzers/ should hold exactly PgBorrow.Analyzers.dll and PgBorrow.CodeFixes.dll under dotnet/cs.\n{package.Listing}");
        Assert.True(package.Entries.Contains("README.md"), $"The package README is missing.\n{package.Listing}");
        // The offline checks' .pgborrow/*.json reach the analyzers of direct and transitive (through PgBorrow) consumers.
        Assert.True(
            package.Entries.Contains("build/PgBorrow.Analyzers.targets") && package.Entries.Contains("buildTransitive/PgBorrow.Analyzers.targets"),
            $"build/ and buildTransitive/ should hold PgBorrow.Analyzers.targets.\n{package.Listing}");

        // No lib/ and no dependency group: nothing ties the package to a target framework (NU1202).
        var libOrRef = package.Entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("ref/", StringComparison.Ordinal)).ToList();
        Assert.True(libOrRef.Count == 0, $"Unexpected lib/ or ref/ entries: {string.Join(", ", libOrRef)}\n{package.Listing}");
        Assert.Empty(package.Nuspec.Descendants(package.Ns + "dependencies"));
        Assert.Equal("true", package.Metadata("developmentDependency"));
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Runtime_package_depends_on_Npgsql_8_0_5_or_later_and_on_the_analyzers_package_with_its_analyzers()
    {
        var package = fixture.RuntimePackage;
        var groups = package.Nuspec.Descendants(package.Ns + "dependencies").Elements(package.Ns + "group").ToList();
        var text = package.Nuspec.ToString();

        Assert.True(
            groups.Select(g => (string?)g.Attribute("targetFramework")).OrderBy(t => t, StringComparer.Ordinal).SequenceEqual(["net10.0", "net8.0"]),
            $"Expected dependency groups for net8.0 and net10.0.\n{text}");
        foreach (var group in groups)
        {
            var dependencies = group.Elements(package.Ns + "dependency")
                .Select(d => ((string?)d.Attribute("id"), (string?)d.Attribute("version")))
                .OrderBy(d => d.Item1, StringComparer.Ordinal)
                .ToList();
            Assert.True(
                dependencies.SequenceEqual([("Npgsql", "8.0.5"), ("PgBorrow.Analyzers", fixture.Version)]),
                $"Group {(string?)group.Attribute("targetFramework")} should depend on Npgsql 8.0.5 (a floor) and PgBorrow.Analyzers {fixture.Version} only.\n{text}");

            // NuGet's default for a dependency is exclude="Build,Analyzers", which would keep the analyzers from the consumer.
            var analyzers = group.Elements(package.Ns + "dependency").Single(d => (string?)d.Attribute("id") == "PgBorrow.Analyzers");
            var excluded = ((string?)analyzers.Attribute("exclude") ?? "").Split(',', StringSplitOptions.TrimEntries);
            Assert.True(!excluded.Contains("Analyzers", StringComparer.OrdinalIgnoreCase), $"The PgBorrow.Analyzers dependency excludes its analyzers.\n{text}");
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public void Both_packages_name_the_repository_the_licence_and_the_readme()
    {
        foreach (var package in new[] { fixture.RuntimePackage, fixture.AnalyzersPackage })
        {
            var text = package.Nuspec.ToString();
            Assert.True(package.Metadata("projectUrl") == RepositoryUrl, $"{package.Id}: projectUrl should be {RepositoryUrl}.\n{text}");
            var repository = package.Nuspec.Descendants(package.Ns + "repository").SingleOrDefault();
            Assert.True(repository is not null && (string?)repository.Attribute("url") == RepositoryUrl + ".git" && (string?)repository.Attribute("type") == "git",
                $"{package.Id}: <repository type=\"git\" url=\"{RepositoryUrl}.git\"> is missing.\n{text}");
            var license = package.Nuspec.Descendants(package.Ns + "license").SingleOrDefault();
            Assert.True(license is not null && (string?)license.Attribute("type") == "expression" && license.Value == "MIT", $"{package.Id}: the licence should be the expression MIT.\n{text}");
            Assert.Equal("PgBorrow contributors", package.Metadata("authors"));
            Assert.Equal("README.md", package.Metadata("readme"));
            Assert.False(string.IsNullOrWhiteSpace(package.Metadata("description")), $"{package.Id} has no description.");
        }
    }

    [Theory]
    [MemberData(nameof(ConsumerNames))]
    [Trait("Category", "Package")]
    public void Consumer_builds_and_gets_exactly_the_diagnostics_of_its_known_mistakes(string consumerName)
    {
        var consumer = BuiltConsumer(consumerName);

        // Each rule once per mistake: a second copy of the analyzers would report everything twice.
        var actual = fixture.Diagnostics(consumer)
            .Where(d => d.Id.StartsWith("PGB", StringComparison.Ordinal))
            .Select(d => (d.Id, d.Line))
            .OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var expected = consumer.ExpectedDiagnostics.OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
        Assert.True(
            actual.SequenceEqual(expected),
            $"{consumer.Name} ({consumer.TargetFramework}): expected {Describe(expected)}, got {Describe(actual)}.\nBuild output:\n" + fixture.ConsumersBuild.Describe(80));
    }

    [Theory]
    [MemberData(nameof(ConsumerNames))]
    [Trait("Category", "Package")]
    public void Consumer_compiler_gets_each_PgBorrow_roslyn_assembly_once_from_the_restored_packages(string consumerName)
    {
        var consumer = BuiltConsumer(consumerName);

        var analyzers = fixture.AnalyzerPaths(consumer);
        var listing = "Analyzer items:\n  " + string.Join("\n  ", analyzers);
        var pgBorrow = analyzers
            .Where(path => Path.GetFileName(path).StartsWith("PgBorrow.", StringComparison.Ordinal))
            .ToList();
        Assert.True(
            pgBorrow.Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(consumer.RoslynAssemblies.OrderBy(n => n, StringComparer.Ordinal)),
            $"{consumer.Name} should pass {string.Join(", ", consumer.RoslynAssemblies)} to the compiler, each once.\n{listing}");
        foreach (var path in pgBorrow)
        {
            Assert.True(
                path.StartsWith(fixture.ConsumerPackagesPath, StringComparison.Ordinal) && path.Contains(fixture.Version, StringComparison.OrdinalIgnoreCase),
                $"{path} does not come from the packages restored for this run ({fixture.ConsumerPackagesPath}, version {fixture.Version}).\n{listing}");
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public void PgBorrowRequirePrepared_raises_PGB331_in_a_real_build_and_its_absence_leaves_it_Info()
    {
        // Both runtime consumers keep .pgborrow/ and have one statement without a file; only Net8Orders sets the property.
        var raised = fixture.Diagnostics(BuiltConsumer(PackageConsumer.Net8Application.Name)).Single(d => d.Id == "PGB331");
        var info = fixture.Diagnostics(BuiltConsumer(PackageConsumer.Net10Application.Name)).Single(d => d.Id == "PGB331");

        Assert.Equal("warning", raised.Level);
        Assert.Equal("note", info.Level);
    }

    /// <summary>The consumer, once the build of all consumers succeeded.</summary>
    PackageConsumer BuiltConsumer(string consumerName)
    {
        var build = fixture.ConsumersBuild;
        Assert.True(build.Succeeded, "The consumer projects did not build.\n" + build.Describe());
        return PackageConsumer.Named(consumerName);
    }

    static string Describe(IEnumerable<(string Id, int Line)> diagnostics)
    {
        var text = string.Join(", ", diagnostics.Select(d => $"{d.Id} on line {d.Line}"));
        return text.Length == 0 ? "none" : text;
    }
}
