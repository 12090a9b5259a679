using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Methods;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Queries;

/// <summary>
/// Turns a [PgQuery] method into a <see cref="PgQueryModel"/>, or null when <see cref="PgQueryMethodCheck"/>
/// finds a problem that stops the generator (the analyzers report it). Symbols are used here and nowhere
/// after: the model holds strings only.
/// </summary>
internal static class PgQueryModelBuilder
{
    public static PgQueryModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length != 1)
            return null;

        var check = PgQueryMethodCheck.Run(declaration, method, context.Attributes[0], cancellationToken);
        if (check.Blocks || check.Sql is null || check.SqlText is null || check.Result is not { } result || method.ContainingType is not { } type)
            return null;

        var parameters = method.Parameters.Select((p, i) => new PgQueryParameter(
            PartialMethodParts.Identifier(p.Name),
            p.Type.ToDisplayString(PartialMethodParts.CodeFormat),
            check.Roles[i].Role,
            check.Roles[i].Position,
            p.IsParams));
        var uniqueName = PartialMethodParts.UniqueName(method, type);

        return new PgQueryModel(
            HintName: PartialMethodParts.HintName(type, uniqueName, PgQueryMethodCheck.HintSuffix),
            Namespace: PartialMethodParts.Namespace(type),
            ContainingTypes: PartialMethodParts.ContainingTypes(declaration, type),
            DisplayName: type.ToDisplayString() + "." + method.Name,
            Modifiers: PartialMethodParts.Modifiers(declaration),
            Name: PartialMethodParts.Identifier(method.Name),
            ReturnType: method.ReturnType.ToDisplayString(PartialMethodParts.CodeFormat),
            IsExtension: method.IsExtensionMethod,
            Parameters: parameters.ToEquatableArray(),
            Sql: check.Sql,
            CommandText: check.SqlText.CommandText,
            Result: new PgQueryResult(
                result.Shape,
                result.ReturnKind,
                result.Element?.ToDisplayString(PartialMethodParts.CodeFormat) ?? string.Empty,
                result.IsRow,
                result.AllowsNull),
            Prepare: check.Prepare,
            CommandTimeoutSeconds: check.CommandTimeoutSeconds,
            StatementField: "__pgQuery_" + PartialMethodParts.Sanitize(uniqueName).Replace('.', '_'));
    }
}
