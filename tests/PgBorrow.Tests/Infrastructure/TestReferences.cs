using System;
using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// Reference assemblies for analyzer tests, resolved with no network: the net10.0 reference pack
/// restored by the project's PackageDownload, plus Npgsql, Dapper and the PgBorrow runtime from the
/// test's own output folder.
/// </summary>
internal static class TestReferences
{
    public static readonly ReferenceAssemblies Net100 = new ReferenceAssemblies(
            "net10.0",
            new PackageIdentity("Microsoft.NETCore.App.Ref", "10.0.12"),
            Path.Combine("ref", "net10.0"));

    public static readonly ImmutableArray<MetadataReference> Libraries = ImmutableArray.Create<MetadataReference>(
        MetadataReference.CreateFromFile(typeof(Npgsql.NpgsqlConnection).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Dapper.SqlMapper).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(PgBorrow.OwnedAttribute).Assembly.Location));

    public static string RepositoryRoot { get; } = AssemblyMetadata("RepositoryRoot");

    /// <summary>The NuGet global packages folder the test project was restored into.</summary>
    public static string NuGetPackageRoot { get; } = AssemblyMetadata("NuGetPackageRoot");

    static string AssemblyMetadata(string key)
    {
        foreach (var attribute in typeof(TestReferences).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false))
        {
            var metadata = (System.Reflection.AssemblyMetadataAttribute)attribute;
            if (metadata.Key == key && metadata.Value is not null)
                return metadata.Value;
        }
        throw new InvalidOperationException($"The test assembly has no {key} metadata.");
    }
}
