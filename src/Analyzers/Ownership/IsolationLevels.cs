using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// The isolation level a Begin call asks for. A constant argument is the level; an argument that is
/// not constant is followed to the constants it can hold on some path (the arms of a conditional, the
/// stores to a local, a parameter's default, a field or property of this compilation given only
/// constants, an options property's initializer), for PGB106, which names where the level came from.
/// A parameter without a default, or a field set from a constructor parameter, is the caller's choice:
/// unknown.
/// </summary>
internal static class IsolationLevels
{
    const int MaxDepth = 4;

    /// <summary>System.Data.IsolationLevel's value as PostgreSQL names the level Npgsql begins.</summary>
    public static string? Name(object? value) => value switch
    {
        0x00100000 => "SERIALIZABLE",
        0x00010000 => "REPEATABLE READ",
        0x00001000 => "READ COMMITTED",
        0x00000100 => "READ UNCOMMITTED",
        0x00000010 => "CHAOS",
        0x01000000 => "REPEATABLE READ", // Npgsql begins Snapshot as REPEATABLE READ
        _ => null,
    };

    static string EnumName(object? value) => value switch
    {
        0x00100000 => "Serializable",
        0x01000000 => "Snapshot",
        _ => "RepeatableRead",
    };

    /// <summary>The IsolationLevel argument of a Begin call (null when there is none, or it is the parameter's default).</summary>
    public static IArgumentOperation? Argument(IInvocationOperation begin)
    {
        foreach (var argument in begin.Arguments)
        {
            if (argument.Parameter?.Type.Name == "IsolationLevel" && argument.ArgumentKind != ArgumentKind.DefaultValue)
                return argument;
        }
        return null;
    }

    /// <summary>The level of a constant argument, as PostgreSQL names it.</summary>
    public static string? Constant(IInvocationOperation begin)
        => Argument(begin) is IArgumentOperation argument ? Name(Operations.Unwrap(argument.Value)?.ConstantValue.Value) : null;

    /// <summary>
    /// For an argument that is not a constant: SERIALIZABLE or REPEATABLE READ when it can be one on some
    /// path (SERIALIZABLE first), and where that value came from, for the message.
    /// </summary>
    public static (string Level, string Source)? Possible(IInvocationOperation begin, MethodScope scope)
    {
        if (Argument(begin) is not IArgumentOperation argument || Operations.Unwrap(argument.Value)?.ConstantValue.HasValue == true)
            return null;
        // The graph lowers a conditional argument into flow captures: read the argument from the original tree.
        var value = argument.Value;
        foreach (var operation in scope.Graph.OriginalOperation.Descendants())
        {
            if (operation is IInvocationOperation original && original.Syntax == begin.Syntax && Argument(original) is IArgumentOperation originalArgument)
            {
                value = originalArgument.Value;
                break;
            }
        }
        var found = new List<(object? Value, string Source)>();
        new Resolver(scope).Resolve(value, "the argument", found, 0);
        (string, string)? repeatable = null;
        foreach (var (constant, source) in found)
        {
            switch (Name(constant))
            {
                case "SERIALIZABLE":
                    return ("SERIALIZABLE", source);
                case "REPEATABLE READ":
                    repeatable ??= ("REPEATABLE READ", source);
                    break;
            }
        }
        return repeatable;
    }

    sealed class Resolver
    {
        readonly MethodScope _scope;
        readonly HashSet<ISymbol> _visited = new(SymbolEqualityComparer.Default);

        public Resolver(MethodScope scope) => _scope = scope;

        /// <param name="origin">What holds the value, for the message: "local 'level'".</param>
        public void Resolve(IOperation? value, string origin, List<(object? Value, string Source)> found, int depth)
        {
            value = Operations.Unwrap(value);
            if (value is null || depth > MaxDepth)
                return;
            if (value.ConstantValue is { HasValue: true, Value: var constant })
            {
                found.Add((constant, $"{origin} ({EnumName(constant)} on some path)"));
                return;
            }
            switch (value)
            {
                case IConditionalOperation conditional:
                    Resolve(conditional.WhenTrue, origin, found, depth + 1);
                    Resolve(conditional.WhenFalse, origin, found, depth + 1);
                    break;
                case ICoalesceOperation coalesce:
                    Resolve(coalesce.Value, origin, found, depth + 1);
                    Resolve(coalesce.WhenNull, origin, found, depth + 1);
                    break;
                case ISwitchExpressionOperation switchExpression:
                    foreach (var arm in switchExpression.Arms)
                        Resolve(arm.Value, origin, found, depth + 1);
                    break;
                case ILocalReferenceOperation local when _visited.Add(local.Local):
                    foreach (var stored in Stores(local.Local, out _))
                        Resolve(stored, $"local '{local.Local.Name}'", found, depth + 1);
                    break;
                case IParameterReferenceOperation parameter when _visited.Add(parameter.Parameter):
                {
                    var stores = Stores(parameter.Parameter, out var otherWrites);
                    var name = $"parameter '{parameter.Parameter.Name}'";
                    if (stores.Count > 0 || otherWrites)
                    {
                        // Reassigned in the body: what the body stores, not the default.
                        foreach (var stored in stores)
                            Resolve(stored, name, found, depth + 1);
                    }
                    else if (parameter.Parameter.HasExplicitDefaultValue && parameter.Parameter.ExplicitDefaultValue is { } defaultValue)
                    {
                        found.Add((defaultValue, $"{name} (default {EnumName(defaultValue)})"));
                    }
                    break;
                }
                case IPropertyReferenceOperation { Property.Name: "Value", Instance: { } instance } nullable
                    when nullable.Property.ContainingType.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T:
                    Resolve(instance, origin, found, depth + 1);
                    break;
                case IFieldReferenceOperation or IPropertyReferenceOperation:
                {
                    var member = ((IMemberReferenceOperation)value).Member;
                    if (_scope.Symbols.MemberConstants.Of(member, _scope.CancellationToken) is not MemberValues values)
                        break;
                    var what = $"{(member is IFieldSymbol ? "field" : "property")} '{member.ContainingType.Name}.{member.Name}'";
                    foreach (var held in values.Values)
                    {
                        var source = values.Kind == MemberValueKind.Default
                            ? $"{what} (initialized to {EnumName(held)})"
                            : values.Values.Length == 1 ? $"{what} ({EnumName(held)})" : $"{what} ({EnumName(held)} on some path)";
                        found.Add((held, source));
                    }
                    break;
                }
            }
        }

        /// <summary>The values stored to a local or parameter in this body; <paramref name="otherWrites"/>: written some other way (ref, out, compound).</summary>
        List<IOperation> Stores(ISymbol symbol, out bool otherWrites)
        {
            var stores = new List<IOperation>();
            otherWrites = false;
            foreach (var operation in _scope.Graph.OriginalOperation.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, symbol):
                        if ((declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer)?.Value is { } initial)
                            stores.Add(initial);
                        break;
                    case ISimpleAssignmentOperation assignment when Refers(assignment.Target, symbol):
                        stores.Add(assignment.Value);
                        break;
                    case ICompoundAssignmentOperation or IIncrementOrDecrementOperation or IDeconstructionAssignmentOperation
                        when Descends(operation, symbol):
                    case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } byReference when Refers(byReference.Value, symbol):
                        otherWrites = true;
                        break;
                }
            }
            return stores;
        }

        static bool Refers(IOperation? operation, ISymbol symbol)
            => Operations.Unwrap(operation) switch
            {
                ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, symbol),
                IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, symbol),
                _ => false,
            };

        static bool Descends(IOperation write, ISymbol symbol)
        {
            var target = write switch
            {
                ICompoundAssignmentOperation compound => compound.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IDeconstructionAssignmentOperation deconstruction => deconstruction.Target,
                _ => null,
            };
            if (target is null)
                return false;
            foreach (var node in target.DescendantsAndSelf())
            {
                if (Refers(node, symbol))
                    return true;
            }
            return false;
        }
    }
}
