using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Methods;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Transactions;

/// <summary>
/// Turns a [PgTransaction] method into a <see cref="PgTransactionModel"/>, or null when
/// <see cref="PgTransactionMethodCheck"/> finds a problem (the analyzers report it). Symbols are used
/// here and nowhere after: the model holds strings only.
/// </summary>
internal static class PgTransactionModelBuilder
{
    private static readonly SymbolDisplayFormat CodeFormat = PartialMethodParts.CodeFormat;

    public static PgTransactionModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length != 1)
            return null;

        var check = PgTransactionMethodCheck.Run(declaration, method, context.Attributes[0], cancellationToken);
        if (check.Problems.Count > 0 || check.Body is null || check.Options is not { } options || method.ContainingType is not { } type)
            return null;

        var parameters = method.Parameters.Skip(1).Select((p, i) => new PgTransactionParameter(
            PartialMethodParts.Identifier(p.Name),
            p.Type.ToDisplayString(CodeFormat),
            i + 1 == check.CancellationTokenIndex ? PgTransactionParameterRole.CancellationToken : PgTransactionParameterRole.State,
            p.IsParams));
        var first = method.Parameters[0];
        var uniqueName = PartialMethodParts.UniqueName(method, type);
        var typeName = type.ToDisplayString();

        return new PgTransactionModel(
            HintName: PartialMethodParts.HintName(type, uniqueName, PgTransactionMethodCheck.HintSuffix),
            Namespace: PartialMethodParts.Namespace(type),
            ContainingTypes: PartialMethodParts.ContainingTypes(declaration, type),
            DisplayName: typeName + "." + method.Name,
            Modifiers: PartialMethodParts.Modifiers(declaration),
            Name: PartialMethodParts.Identifier(method.Name),
            ReturnType: method.ReturnType.ToDisplayString(CodeFormat),
            ResultType: check.ResultType?.ToDisplayString(CodeFormat) ?? string.Empty,
            IsStatic: method.IsStatic,
            IsExtension: method.IsExtensionMethod,
            ContainingTypeName: type.ToDisplayString(CodeFormat),
            Source: new PgTransactionParameter(PartialMethodParts.Identifier(first.Name), first.Type.ToDisplayString(CodeFormat), PgTransactionParameterRole.Source),
            Parameters: parameters.ToEquatableArray(),
            Body: PartialMethodParts.Identifier(check.Body.Name),
            OptionsField: "__pgTransactionOptions_" + PartialMethodParts.Sanitize(uniqueName).Replace('.', '_'),
            Options: new PgTransactionOptionsModel(options.IsolationLevel, options.ReadOnly, options.Deferrable, options.MaxAttempts, options.BaseDelay, options.MaxDelay));
    }
}
