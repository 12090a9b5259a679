using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>Small readings of the operation tree every part of the analyzers needs.</summary>
internal static class Operations
{
    /// <summary>The operand under conversions and parentheses.</summary>
    public static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>Whether the operation belongs to <paramref name="body"/> itself, not to a lambda or local function inside it.</summary>
    public static bool IsInBody(IOperation operation, IOperation body)
    {
        for (var parent = operation.Parent; parent is not null && parent != body; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return false;
        }
        return true;
    }

    /// <summary>Source text for a message: one line, at most 60 characters.</summary>
    public static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    /// <summary>The method body, lambda or local function the operation sits in (the tree's root outside one).</summary>
    public static IOperation EnclosingFunction(IOperation operation)
    {
        var body = operation;
        while (body.Parent is not null && body is not (IMethodBodyBaseOperation or IAnonymousFunctionOperation or ILocalFunctionOperation))
            body = body.Parent;
        return body;
    }

    /// <summary>The local, parameter, field or property an operand names (through conversions), or null.</summary>
    public static ISymbol? NamedSymbol(IOperation? operand)
        => Unwrap(operand) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };
}
