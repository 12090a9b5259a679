using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Decides whether command text was built from non-constant strings, and finds the piece that is not
/// constant. Only text that is <em>built</em> here counts (interpolation, concatenation,
/// <c>string.Format</c>/<c>Concat</c>, a <c>StringBuilder</c>, directly or through locals): a plain
/// parameter or method result passed to the sink is the caller's business, not this method's.
/// Holes of numeric, bool, Guid, date/time and enum types cannot inject SQL and are fine.
/// </summary>
internal sealed class SqlTextBuilding
{
    const int MaxDepth = 6;

    readonly IOperation _body;
    readonly Dictionary<ILocalSymbol, List<IOperation>> _assignments = new(SymbolEqualityComparer.Default);
    readonly HashSet<IOperation> _appended = new();

    public SqlTextBuilding(IOperation body)
    {
        _body = body;
        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer: not null } declarator:
                    Add(declarator.Symbol, declarator.Initializer.Value);
                    break;
                case IVariableDeclaratorOperation declarator when declarator.Parent is IVariableDeclarationOperation { Initializer: not null } declaration:
                    Add(declarator.Symbol, declaration.Initializer.Value);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                    Add(local.Local, assignment.Value);
                    break;
                case ICompoundAssignmentOperation { Target: ILocalReferenceOperation local } compound:
                    // `sql += piece` appends: the piece is part of a building even when it is a bare variable.
                    Add(local.Local, compound.Value);
                    _appended.Add(compound.Value);
                    break;
            }
        }
    }

    void Add(ILocalSymbol local, IOperation value)
    {
        if (!_assignments.TryGetValue(local, out var values))
            _assignments[local] = values = new List<IOperation>();
        values.Add(value);
    }

    /// <summary>The first non-constant string piece of text built here, or null when the text is safe (or not built here).</summary>
    public IOperation? UnsafePiece(IOperation sql) => Unsafe(sql, building: false, depth: 0, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default));

    IOperation? Unsafe(IOperation? operation, bool building, int depth, HashSet<ILocalSymbol> visiting)
    {
        if (operation is null || depth > MaxDepth)
            return null;
        if (operation.ConstantValue.HasValue)
            return null;

        switch (operation)
        {
            case IConversionOperation conversion:
                return Unsafe(conversion.Operand, building, depth, visiting);
            case IParenthesizedOperation parenthesized:
                return Unsafe(parenthesized.Operand, building, depth, visiting);
            case INameOfOperation:
                return null;

            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    if (part is IInterpolationOperation hole && Unsafe(hole.Expression, building: true, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
                return null;

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                return Unsafe(binary.LeftOperand, true, depth + 1, visiting) ?? Unsafe(binary.RightOperand, true, depth + 1, visiting);

            case IConditionalOperation conditional:
                return Unsafe(conditional.WhenTrue, building, depth + 1, visiting) ?? Unsafe(conditional.WhenFalse, building, depth + 1, visiting);

            case ISwitchExpressionOperation switchExpression:
                foreach (var arm in switchExpression.Arms)
                {
                    if (Unsafe(arm.Value, building, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
                return null;

            case ICoalesceOperation coalesce:
                return Unsafe(coalesce.Value, building, depth + 1, visiting) ?? Unsafe(coalesce.WhenNull, building, depth + 1, visiting);

            case IInvocationOperation invocation when IsStringBuilding(invocation):
                foreach (var argument in invocation.Arguments)
                {
                    if (Unsafe(argument.Value, true, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
                return null;

            case IInvocationOperation { TargetMethod.Name: "ToString", Instance: ILocalReferenceOperation builder }
                when IsStringBuilder(builder.Type):
                return UnsafeStringBuilder(builder.Local, depth, visiting);

            case IArrayCreationOperation { Initializer: not null } array:
                foreach (var element in array.Initializer.ElementValues)
                {
                    if (Unsafe(element, building, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
                return null;

            case ILocalReferenceOperation local:
                if (!visiting.Add(local.Local))
                    return null;
                try
                {
                    if (!_assignments.TryGetValue(local.Local, out var values))
                        return building && IsText(local.Type) ? operation : null;
                    // A local is as safe as everything assigned to it. Plain (unbuilt) text assigned to a
                    // local that is then built upon counts as a piece of the building.
                    foreach (var value in values)
                    {
                        var appended = _appended.Contains(value);
                        if (Unsafe(value, building || appended, depth + 1, visiting) is IOperation piece)
                            return building && !appended && piece == value ? operation : piece;
                    }
                    return null;
                }
                finally
                {
                    visiting.Remove(local.Local);
                }

            case IFieldReferenceOperation { Field.IsReadOnly: true }:
                // Readonly configuration (schema names set once at startup) is trusted: precision first.
                return null;
        }

        // Any other expression: a piece of non-constant text if it is text and we are building.
        if (!building)
            return null;
        return IsSafeHoleType(operation.Type) ? null : operation;
    }

    IOperation? UnsafeStringBuilder(ILocalSymbol builder, int depth, HashSet<ILocalSymbol> visiting)
    {
        foreach (var operation in _body.Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "Append" or "AppendLine" or "AppendFormat" or "Insert" or "Replace" } append
                && Receiver(append) is ILocalReferenceOperation receiver
                && SymbolEqualityComparer.Default.Equals(receiver.Local, builder))
            {
                foreach (var argument in append.Arguments)
                {
                    if (Unsafe(argument.Value, true, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
            }
            else if (operation is IObjectCreationOperation creation && IsStringBuilder(creation.Type)
                && creation.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
                && SymbolEqualityComparer.Default.Equals(declarator.Symbol, builder))
            {
                foreach (var argument in creation.Arguments)
                {
                    if (Unsafe(argument.Value, true, depth + 1, visiting) is IOperation piece)
                        return piece;
                }
            }
        }
        return null;
    }

    /// <summary>The receiver of an Append, looking through chained Appends (sb.Append(a).Append(b)).</summary>
    static IOperation? Receiver(IInvocationOperation invocation)
    {
        var receiver = invocation.Instance;
        while (receiver is IInvocationOperation { TargetMethod.Name: "Append" or "AppendLine" or "AppendFormat" } chained)
            receiver = chained.Instance;
        return receiver;
    }

    static bool IsStringBuilding(IInvocationOperation invocation)
        => invocation.TargetMethod.ContainingType?.SpecialType == SpecialType.System_String
        && invocation.TargetMethod.IsStatic
        && invocation.TargetMethod.Name is "Format" or "Concat" or "Join";

    static bool IsStringBuilder(ITypeSymbol? type)
        => type?.ToDisplayString() == "System.Text.StringBuilder";

    static bool IsText(ITypeSymbol? type)
        => type is not null && (type.SpecialType is SpecialType.System_String or SpecialType.System_Object || IsStringBuilder(type));

    /// <summary>Types whose text form cannot carry SQL: numbers, bool, Guid, dates and times, enums.</summary>
    static bool IsSafeHoleType(ITypeSymbol? type)
    {
        if (type is null)
            return false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            type = nullable.TypeArguments[0];
        if (type.TypeKind == TypeKind.Enum)
            return true;
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Byte:
            case SpecialType.System_SByte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_DateTime:
                return true;
        }
        return type.ToDisplayString() is "System.Guid" or "System.DateTimeOffset" or "System.DateOnly" or "System.TimeOnly" or "System.TimeSpan" or "System.Half" or "System.Int128" or "System.UInt128" or "System.Numerics.BigInteger";
    }
}
