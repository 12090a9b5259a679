using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Cli.Collect;

/// <summary>
/// One [PgQuery] method's statement: the method, where its attribute is (1-based line and column), the SQL as
/// written, and the text the generator sends (<c>@name</c> rewritten to <c>$n</c>), which is the text described.
/// </summary>
public sealed record CollectedQuery(string Method, string FilePath, int Line, int Column, string Sql, string CommandText)
{
    public string Location => $"{FilePath}({Line},{Column})";
}

/// <summary>
/// Finds the [PgQuery] methods of a project by reading its C# files: every <c>*.cs</c> under the folder except
/// <c>bin/</c>, <c>obj/</c> and hidden folders, compiled together (against the framework only) so that SQL built
/// from constants (<c>const</c> fields, concatenation) is read as the compiler reads it. The attribute is matched by
/// name (<c>PgQuery</c> or <c>PgQueryAttribute</c>, qualified or not); an attribute whose SQL is not a constant is
/// skipped, as the generator reports it.
/// </summary>
public static class PgQueryCollector
{
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj" };

    public static IReadOnlyList<CollectedQuery> Collect(string projectFolder)
    {
        var trees = SourceFiles(projectFolder)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), path))
            .ToList();
        var compilation = CSharpCompilation.Create("PgBorrowPrepare", trees, FrameworkReferences(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var queries = new List<CollectedQuery>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var attribute in tree.GetRoot().DescendantNodes().OfType<AttributeSyntax>())
            {
                if (!IsPgQuery(attribute) || attribute.Parent?.Parent is not MethodDeclarationSyntax method)
                    continue;
                var sqlArgument = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null && a.NameColon is null);
                if (sqlArgument is null || model.GetConstantValue(sqlArgument.Expression).Value is not string sql)
                    continue;
                var position = attribute.GetLocation().GetLineSpan().StartLinePosition;
                var type = method.Parent is TypeDeclarationSyntax owner ? owner.Identifier.Text + "." : "";
                queries.Add(new CollectedQuery(
                    type + method.Identifier.Text,
                    Path.GetRelativePath(projectFolder, tree.FilePath),
                    position.Line + 1,
                    position.Character + 1,
                    sql,
                    PgQuerySqlText.Parse(sql).CommandText));
            }
        }
        return queries;
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

    private static bool IsPgQuery(AttributeSyntax attribute)
    {
        var name = attribute.Name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.Text,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.Text,
            SimpleNameSyntax simple => simple.Identifier.Text,
            _ => null,
        };
        return name is "PgQuery" or "PgQueryAttribute";
    }

    /// <summary>The running framework's assemblies: enough to fold constants; the project's own references are not needed.</summary>
    private static IEnumerable<MetadataReference> FrameworkReferences() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) == "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
}
