using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
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
/// Finds the [PgQuery] methods of a project's code. The attribute is matched by name (<c>PgQuery</c> or
/// <c>PgQueryAttribute</c>, qualified or not); an attribute whose SQL is not a constant is skipped, as the generator
/// reports it.
/// </summary>
public static class PgQueryCollector
{
    public static IReadOnlyList<CollectedQuery> Collect(Compilation compilation, string projectFolder)
    {
        var queries = new List<CollectedQuery>();
        foreach (var tree in compilation.SyntaxTrees.Where(t => ProjectSources.IsProjectSource(t, projectFolder)))
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
}
