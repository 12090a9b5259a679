using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PgBorrow.Cli.Collect;

/// <summary>
/// A project's C# code, compiled so that SQL built from constants (<c>const</c> fields, concatenation) reads as the
/// compiler reads it and calls bind to the APIs that send SQL.
/// </summary>
public static class ProjectSources
{
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj" };

    /// <summary>
    /// Every <c>*.cs</c> under the folder except <c>bin/</c>, <c>obj/</c> and hidden folders, compiled against the
    /// framework, Npgsql and PgBorrow's runtime (the copies shipped with the tool): enough to bind the query API and
    /// Npgsql's commands; Dapper and the project's other references are not there, so Dapper calls do not bind.
    /// </summary>
    public static Compilation FromFolder(string projectFolder)
    {
        var trees = SourceFiles(projectFolder)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), path))
            .ToList();
        return CSharpCompilation.Create("PgBorrowPrepare", trees, FallbackReferences(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    /// <summary>The project's own code among a compilation's trees: not generated, not build output, under the project folder.</summary>
    public static bool IsProjectSource(SyntaxTree tree, string projectFolder)
    {
        if (!Path.IsPathRooted(tree.FilePath))
            return false; // a source generator's output
        var relative = Path.GetRelativePath(projectFolder, tree.FilePath);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            return false;
        var folders = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return !folders.Take(folders.Length - 1).Any(folder => SkippedFolders.Contains(folder) || folder.StartsWith('.'));
    }

    private static IEnumerable<string> SourceFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs").Order(StringComparer.Ordinal))
            yield return file;
        foreach (var child in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(child);
            if (SkippedFolders.Contains(name) || name.StartsWith('.'))
                continue;
            foreach (var file in SourceFiles(child))
                yield return file;
        }
    }

    private static IEnumerable<MetadataReference> FallbackReferences() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(Npgsql.NpgsqlConnection).Assembly.Location)
            .Append(typeof(PgBorrow.PgSql).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => MetadataReference.CreateFromFile(path));
}
