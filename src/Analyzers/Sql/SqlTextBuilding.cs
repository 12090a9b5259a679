using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Sql;

/// <summary>Where a non-constant piece of built SQL text comes from.</summary>
internal enum SqlPieceSource
{
    /// <summary>A parameter of the method, lambda or local function: the caller decides what it holds.</summary>
    Caller,

    /// <summary>Anything else: a property, a field, a method's result, an element. Configuration or computed here.</summary>
    Elsewhere,

    /// <summary>
    /// A readonly field: configuration the object was given once, when it was built (a schema or table name).
    /// Trusted by every rule; only PGB203's configured-names option reports it.
    /// </summary>
    Configuration,
}

/// <summary>
/// A non-constant piece of SQL text built here, where it lands in the SQL, and where it comes from. A piece
/// that comes straight from a parameter of the method names it (<see cref="Parameter"/>); a piece of text
/// assembled in another member (<see cref="Via"/>) is reported on the reference to that member.
/// </summary>
/// <remarks><see cref="BetweenDoubleQuotes"/>: the text puts the piece inside a "quoted identifier" (it keeps its case).</remarks>
internal readonly record struct SqlPiece(IOperation Operation, SqlHolePosition Position, SqlPieceSource Source, IParameterSymbol? Parameter = null, SqlVia? Via = null, bool BetweenDoubleQuotes = false);

/// <summary>
/// Decides whether command text was built from non-constant strings, and finds each piece that is
/// not constant together with where it lands in the SQL (a value, an identifier, a fragment). Only
/// text that is <em>built</em> here counts (interpolation, concatenation, <c>string.Format</c>/
/// <c>Concat</c>/<c>Join</c>, a <c>StringBuilder</c>, directly or through locals): a plain parameter or
/// method result passed to the sink is the caller's business, not this method's.
/// Pieces that cannot carry SQL are not pieces at all: numeric, bool, Guid, date/time and enum values
/// (and their <c>ToString()</c>), constants, <c>nameof</c>, <c>Environment.NewLine</c>, readonly fields,
/// and text that went through a quoting or escaping function (<see cref="SqlQuoting"/>).
/// </summary>
internal sealed class SqlTextBuilding
{
    const int MaxDepth = 6;
    const int MaxSegments = 256;

    readonly IOperation _body;
    readonly SqlQuoting _quoting;
    readonly CompilationCalls _calls;
    readonly SqlMemberText? _members;
    readonly int _memberDepth;
    readonly Dictionary<ILocalSymbol, List<IOperation>> _assignments = new(SymbolEqualityComparer.Default);
    readonly HashSet<IOperation> _appended = new();

    public SqlTextBuilding(IOperation body, SqlQuoting quoting, CompilationCalls calls)
        : this(body, quoting, calls, members: null, memberDepth: 0)
    {
    }

    /// <summary>
    /// With <paramref name="members"/>, text at a sink that is a member of the compilation (a method's result, a
    /// field, a property) is read where that member assembles it, <paramref name="memberDepth"/> members down.
    /// </summary>
    public SqlTextBuilding(IOperation body, SqlQuoting quoting, CompilationCalls calls, SqlMemberText? members, int memberDepth)
    {
        _body = body;
        _quoting = quoting;
        _calls = calls;
        _members = members;
        _memberDepth = memberDepth;
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

    /// <summary>Every non-constant piece of the text, in text order; empty when the text is safe or not built here.</summary>
    public List<SqlPiece> Pieces(IOperation sql)
    {
        var pieces = new List<SqlPiece>();
        if (sql.ConstantValue.HasValue)
            return pieces;
        var template = new List<Segment>();
        Flatten(sql, building: false, depth: 0, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), template);
        Classify(template, string.Empty, string.Empty, pieces, depth: 0);
        return pieces;
    }

    /// <summary>A part of the built text: constant text, a non-constant piece, or alternatives (?:, ??, switch, a local assigned on several paths).</summary>
    sealed class Segment
    {
        public string? Text;
        public IOperation? Hole;
        public List<List<Segment>>? Alternatives;
        /// <summary>A reference to a member whose text is all of it, and the pieces that member assembles.</summary>
        public IOperation? Member;
        public List<SqlPiece>? MemberPieces;
    }

    void Text(List<Segment> into, string text)
    {
        if (into.Count < MaxSegments)
            into.Add(new Segment { Text = text });
    }

    void Hole(List<Segment> into, IOperation hole)
    {
        if (into.Count < MaxSegments)
            into.Add(new Segment { Hole = hole });
    }

    void Flatten(IOperation? operation, bool building, int depth, HashSet<ILocalSymbol> visiting, List<Segment> into)
    {
        if (operation is null)
            return;
        if (depth > MaxDepth)
        {
            Text(into, SqlHolePositions.Placeholder);
            return;
        }
        if (operation.ConstantValue is { HasValue: true, Value: var constant })
        {
            Text(into, constant?.ToString() ?? string.Empty);
            return;
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                Flatten(conversion.Operand, building, depth, visiting, into);
                return;
            case IParenthesizedOperation parenthesized:
                Flatten(parenthesized.Operand, building, depth, visiting, into);
                return;

            case IInterpolatedStringHandlerCreationOperation handler:
                // `sb.AppendLine($"...")` binds to the StringBuilder's interpolated-string handler.
                Flatten(handler.Content, building, depth, visiting, into);
                return;

            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    switch (part)
                    {
                        case IInterpolatedStringTextOperation text:
                            Text(into, text.Text.ConstantValue.Value as string ?? string.Empty);
                            break;
                        case IInterpolationOperation hole:
                            Flatten(hole.Expression, building: true, depth + 1, visiting, into);
                            break;
                        case IInterpolatedStringAppendOperation { Kind: OperationKind.InterpolatedStringAppendLiteral } literal:
                            Text(into, AppendedArgument(literal)?.ConstantValue.Value as string ?? string.Empty);
                            break;
                        case IInterpolatedStringAppendOperation formatted:
                            Flatten(AppendedArgument(formatted), building: true, depth + 1, visiting, into);
                            break;
                    }
                }
                return;

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                Flatten(binary.LeftOperand, true, depth + 1, visiting, into);
                Flatten(binary.RightOperand, true, depth + 1, visiting, into);
                return;

            case IConditionalOperation conditional:
                Alternatives(into, building, depth, visiting, conditional.WhenTrue, conditional.WhenFalse ?? conditional.WhenTrue);
                return;

            case ISwitchExpressionOperation switchExpression:
                var arms = new IOperation[switchExpression.Arms.Length];
                for (var i = 0; i < arms.Length; i++)
                    arms[i] = switchExpression.Arms[i].Value;
                Alternatives(into, building, depth, visiting, arms);
                return;

            case ICoalesceOperation coalesce:
                Alternatives(into, building, depth, visiting, coalesce.Value, coalesce.WhenNull);
                return;

            case IInvocationOperation invocation when IsStringMethod(invocation, "Format"):
                FlattenFormat(invocation, depth, visiting, into);
                return;

            case IInvocationOperation invocation when IsStringMethod(invocation, "Concat"):
                foreach (var argument in invocation.Arguments)
                    Flatten(argument.Value, true, depth + 1, visiting, into);
                return;

            case IInvocationOperation invocation when IsStringMethod(invocation, "Join"):
                // The separator goes between the elements: read the elements, then the separator.
                for (var i = 1; i < invocation.Arguments.Length; i++)
                {
                    // string.Join(",", values) over a local list: each element is one of the strings added to it.
                    var joined = MethodScope.Unwrap(invocation.Arguments[i].Value);
                    if (joined is IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList", Instance: { } source })
                        joined = MethodScope.Unwrap(source);
                    if (joined is ILocalReferenceOperation list && AddedElements(list.Local) is { } elements)
                    {
                        Alternatives(into, true, depth, visiting, elements.ToArray());
                        continue;
                    }
                    Flatten(invocation.Arguments[i].Value, true, depth + 1, visiting, into);
                }
                if (invocation.Arguments.Length > 0)
                    Flatten(invocation.Arguments[0].Value, true, depth + 1, visiting, into);
                return;

            case IInvocationOperation { TargetMethod.Name: "ToString", Instance: ILocalReferenceOperation builder }
                when IsStringBuilder(builder.Type):
                FlattenStringBuilder(builder.Local, depth, visiting, into);
                return;

            case IArrayCreationOperation { Initializer: not null } array:
                foreach (var element in array.Initializer.ElementValues)
                    Flatten(element, building, depth + 1, visiting, into);
                return;

            case ILocalReferenceOperation builderLocal when building && IsStringBuilder(builderLocal.Type) && visiting.Add(builderLocal.Local):
                // `VALUES ({parameters})` where `parameters` is another StringBuilder: read its appends.
                try
                {
                    FlattenStringBuilder(builderLocal.Local, depth + 1, visiting, into);
                }
                finally
                {
                    visiting.Remove(builderLocal.Local);
                }
                return;

            case ILocalReferenceOperation local:
                if (!_assignments.TryGetValue(local.Local, out var values) || !visiting.Add(local.Local))
                {
                    if (building && IsText(local.Type))
                        Hole(into, operation);
                    else if (building)
                        Text(into, SqlHolePositions.Placeholder);
                    return;
                }
                try
                {
                    FlattenLocal(local, values, building, depth, visiting, into);
                }
                finally
                {
                    visiting.Remove(local.Local);
                }
                return;
        }

        // Any other expression: a piece of non-constant text if it is text and we are building.
        if (!building)
        {
            // The whole text is another member's (a method's result, a field, a property): read it there.
            if (_members is not null && MemberOf(operation) is ISymbol member && _members.PiecesOf(member, _memberDepth) is { Count: > 0 } memberPieces)
                into.Add(new Segment { Member = operation, MemberPieces = memberPieces });
            return;
        }
        if (IsSafe(operation) && !IsReadonlyText(operation))
            Text(into, IsInteger(operation.Type) ? SqlHolePositions.IntegerPlaceholder : SqlHolePositions.Placeholder);
        else
            Hole(into, operation);
    }

    static bool IsInteger(ITypeSymbol? type)
        => type?.SpecialType is SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64
            or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Byte;

    /// <summary>
    /// The strings added to a local list (<c>values.Add(...)</c>) that the text joins
    /// (<c>string.Join(",", values)</c>, <c>values.ToArray()</c>): one of them stands for each element. Null when
    /// the list is filled any other way.
    /// </summary>
    List<IOperation>? AddedElements(ILocalSymbol list)
    {
        if (list.Type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } listType
            || listType.TypeArguments[0].SpecialType != SpecialType.System_String || listType.Name is not ("List" or "HashSet")
            || !_assignments.TryGetValue(list, out var initial) || initial.Count != 1
            || MethodScope.Unwrap(initial[0]) is not IObjectCreationOperation { Arguments.Length: 0 } creation)
            return null;
        var added = new List<IOperation>();
        if (creation.Initializer is not null)
        {
            foreach (var element in creation.Initializer.Initializers)
            {
                if (element is not IInvocationOperation { Arguments.Length: 1 } initializerAdd)
                    return null;
                added.Add(initializerAdd.Arguments[0].Value);
            }
        }
        foreach (var operation in _body.Descendants())
        {
            if (operation is IInvocationOperation { Instance: ILocalReferenceOperation receiver } call
                && SymbolEqualityComparer.Default.Equals(receiver.Local, list))
            {
                if (call.TargetMethod.Name == "Add" && call.Arguments.Length == 1)
                    added.Add(call.Arguments[0].Value);
                else if (call.TargetMethod.Name is not ("ToArray" or "ToList" or "Clear" or "Contains" or "Count"))
                    return null; // AddRange, Insert, passed on: not followed
            }
        }
        return added.Count is > 0 and <= 16 ? added : null;
    }

    /// <summary>
    /// A local is its assignments: an initial value then the pieces appended with <c>+=</c>, in order;
    /// or, when it is assigned several times, one of those values on each path.
    /// </summary>
    void FlattenLocal(ILocalReferenceOperation local, List<IOperation> values, bool building, int depth, HashSet<ILocalSymbol> visiting, List<Segment> into)
    {
        var plain = new List<IOperation>();
        var appended = new List<IOperation>();
        foreach (var value in values)
        {
            if (value.Syntax.SpanStart >= local.Syntax.SpanStart && !IsLoopCarried(value, local))
                continue; // assigned after this use (a later statement)
            (_appended.Contains(value) ? appended : plain).Add(value);
        }
        // Plain (unbuilt) text assigned to a local that is then built upon counts as a piece of the building.
        var isBuilt = building || appended.Count > 0;
        if (plain.Count == 1)
            FlattenValue(plain[0], local, isBuilt, depth, visiting, into);
        else if (plain.Count > 1)
        {
            var alternatives = new List<List<Segment>>();
            foreach (var value in plain)
            {
                var alternative = new List<Segment>();
                FlattenValue(value, local, isBuilt, depth, visiting, alternative);
                alternatives.Add(alternative);
            }
            into.Add(new Segment { Alternatives = alternatives });
        }
        foreach (var value in appended)
            Flatten(value, true, depth + 1, visiting, into);
    }

    /// <summary>A local's value; when it is plain text that is built upon, the piece is named by the local (that is what the reader sees at the sink).</summary>
    void FlattenValue(IOperation value, ILocalReferenceOperation local, bool building, int depth, HashSet<ILocalSymbol> visiting, List<Segment> into)
    {
        var inner = new List<Segment>();
        Flatten(value, building, depth + 1, visiting, inner);
        if (inner.Count == 1 && inner[0].Hole == value && IsText(local.Type))
            inner[0].Hole = local;
        into.AddRange(inner);
    }

    /// <summary>A `+=` inside a loop feeds the uses before it in the loop text (the next iteration).</summary>
    static bool IsLoopCarried(IOperation value, IOperation use)
    {
        for (var current = use.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation loop)
                return value.Syntax.Span.End <= loop.Syntax.Span.End && value.Syntax.SpanStart >= loop.Syntax.SpanStart;
        }
        return false;
    }

    void Alternatives(List<Segment> into, bool building, int depth, HashSet<ILocalSymbol> visiting, params IOperation?[] values)
    {
        var alternatives = new List<List<Segment>>();
        foreach (var value in values)
        {
            var alternative = new List<Segment>();
            Flatten(value, building, depth + 1, visiting, alternative);
            alternatives.Add(alternative);
        }
        into.Add(new Segment { Alternatives = alternatives });
    }

    void FlattenFormat(IInvocationOperation invocation, int depth, HashSet<ILocalSymbol> visiting, List<Segment> into)
    {
        // string.Format([provider,] format, args...): the format's text with each {n} replaced by argument n.
        var arguments = new List<IOperation>();
        IOperation? format = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == "format")
                format = argument.Value;
            else if (argument.Parameter?.Type.SpecialType != SpecialType.None || argument.Parameter.Type is IArrayTypeSymbol)
            {
                if (argument.Value is IArrayCreationOperation { Initializer: not null } array && argument.ArgumentKind == ArgumentKind.ParamArray)
                    arguments.AddRange(array.Initializer.ElementValues);
                else if (argument.Parameter?.Name != "provider")
                    arguments.Add(argument.Value);
            }
        }
        if (format?.ConstantValue.Value is not string text)
        {
            Flatten(format, true, depth + 1, visiting, into);
            foreach (var argument in arguments)
                Flatten(argument, true, depth + 1, visiting, into);
            return;
        }
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{' || c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (c == '{')
            {
                var close = text.IndexOf('}', i);
                var spec = close > i ? text.Substring(i + 1, close - i - 1) : string.Empty;
                var digits = 0;
                while (digits < spec.Length && char.IsDigit(spec[digits]))
                    digits++;
                if (close > i && digits > 0 && int.TryParse(spec.Substring(0, digits), out var index) && index < arguments.Count)
                {
                    Text(into, literal.ToString());
                    literal.Clear();
                    Flatten(arguments[index], true, depth + 1, visiting, into);
                    i = close;
                    continue;
                }
            }
            literal.Append(c);
        }
        Text(into, literal.ToString());
    }

    void FlattenStringBuilder(ILocalSymbol builder, int depth, HashSet<ILocalSymbol> visiting, List<Segment> into)
    {
        // Appends in text order: close enough to the order they run in for reading positions. A chain
        // `sb.Append(a).Append(b)` is visited outermost first, so the operations are sorted by position.
        var operations = new List<IOperation>();
        foreach (var operation in _body.Descendants())
        {
            if (operation is IInvocationOperation or IObjectCreationOperation)
                operations.Add(operation);
        }
        operations.Sort((a, b) => ArgumentsStart(a).CompareTo(ArgumentsStart(b)));
        foreach (var operation in operations)
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "Append" or "AppendLine" or "AppendFormat" or "Insert" or "Replace" } append
                && Receiver(append) is ILocalReferenceOperation receiver
                && SymbolEqualityComparer.Default.Equals(receiver.Local, builder))
            {
                if (append.TargetMethod.Name == "AppendFormat")
                {
                    FlattenFormat(append, depth, visiting, into);
                    continue;
                }
                foreach (var argument in append.Arguments)
                {
                    if (argument.Parameter?.Type.SpecialType is SpecialType.System_Int32 && append.TargetMethod.Name is "Insert" or "Append" && append.Arguments.Length > 1)
                        continue; // Insert(index, ...) / Append(char, repeatCount)
                    Flatten(argument.Value, true, depth + 1, visiting, into);
                }
                if (append.TargetMethod.Name == "AppendLine")
                    Text(into, "\n");
            }
            else if (operation is IObjectCreationOperation creation && IsStringBuilder(creation.Type)
                && creation.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
                && SymbolEqualityComparer.Default.Equals(declarator.Symbol, builder))
            {
                foreach (var argument in creation.Arguments)
                {
                    if (argument.Value.Type?.SpecialType == SpecialType.System_String)
                        Flatten(argument.Value, true, depth + 1, visiting, into);
                }
            }
        }
    }

    /// <summary>Walks a template keeping the constant text before and after each hole, and classifies each hole.</summary>
    void Classify(List<Segment> template, string before, string after, List<SqlPiece> pieces, int depth)
    {
        if (depth > MaxDepth)
            return;
        for (var i = 0; i < template.Count; i++)
        {
            var segment = template[i];
            if (segment.Member is IOperation member)
            {
                AddMemberPieces(member, segment.MemberPieces!, pieces);
                continue;
            }
            if (segment.Hole is null && segment.Alternatives is null)
                continue;
            var textBefore = before + TextOf(template, 0, i);
            var textAfter = TextOf(template, i + 1, template.Count) + after;
            if (segment.Hole is IOperation hole)
            {
                if (IsConstantFromEveryCaller(hole))
                    continue;
                var position = SqlHolePositions.Classify(textBefore, textAfter);
                if (position == SqlHolePosition.Value && IsPlaceholder(hole, template, i))
                    continue;
                if (position == SqlHolePosition.Value && NamesAnIdentifier(hole) && !SqlHolePositions.InsideStringLiteral(textBefore))
                    position = SqlHolePosition.Identifier;
                pieces.Add(new SqlPiece(hole, position, SourceOf(hole), ParameterOf(hole), BetweenDoubleQuotes: SqlHolePositions.InsideQuotedIdentifier(textBefore)));
            }
            else
            {
                foreach (var alternative in segment.Alternatives!)
                    Classify(alternative, textBefore, textAfter, pieces, depth + 1);
            }
        }
    }

    /// <summary>The member whose text <paramref name="operation"/> is: a method called, a field or property read.</summary>
    static ISymbol? MemberOf(IOperation operation)
        => operation switch
        {
            IInvocationOperation invocation when invocation.TargetMethod.ContainingType?.SpecialType != SpecialType.System_String => invocation.TargetMethod,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };

    /// <summary>
    /// The pieces another member assembles, seen from here: a piece from one of a called method's parameters is
    /// what this call passes to it (nothing when that is constant or cannot carry SQL; the caller's when it is
    /// this method's parameter); a constructor's parameter is the constructing code's choice, configuration.
    /// </summary>
    void AddMemberPieces(IOperation member, List<SqlPiece> memberPieces, List<SqlPiece> pieces)
    {
        foreach (var piece in memberPieces)
        {
            var via = piece.Via!;
            if (piece.Parameter is IParameterSymbol parameter && member is IInvocationOperation call
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, parameter.ContainingSymbol.OriginalDefinition))
            {
                IOperation? argument = null;
                foreach (var candidate in call.Arguments)
                {
                    if (candidate.Parameter?.Ordinal == parameter.Ordinal && candidate.ArgumentKind != ArgumentKind.DefaultValue)
                        argument = candidate.Value;
                }
                if (argument is null || IsConstantText(argument) || IsSafe(MethodScope.Unwrap(argument)!) || IsConstantFromEveryCaller(argument))
                    continue;
                var source = SourceOf(argument);
                if (source != SqlPieceSource.Caller)
                    via = via with { From = "its parameter '" + parameter.Name + "', passed '" + Infrastructure.Operations.Shorten(argument.Syntax.ToString()) + "'" };
                pieces.Add(new SqlPiece(member, piece.Position, source, ParameterOf(argument), via, piece.BetweenDoubleQuotes));
                continue;
            }
            var constructed = piece.Parameter?.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor };
            pieces.Add(new SqlPiece(member, piece.Position, constructed ? SqlPieceSource.Elsewhere : piece.Source, Parameter: null, via, piece.BetweenDoubleQuotes));
        }
    }

    /// <summary>The parameter of this method a piece is, directly or through a local assigned once.</summary>
    IParameterSymbol? ParameterOf(IOperation operation)
    {
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            operation = MethodScope.Unwrap(operation)!;
            if (operation is IParameterReferenceOperation parameter)
                return parameter.Parameter;
            if (operation is not ILocalReferenceOperation local || !_assignments.TryGetValue(local.Local, out var values) || values.Count != 1)
                return null;
            operation = values[0];
        }
        return null;
    }

    /// <summary>
    /// A piece in a value position that is a placeholder, not a value: a prefix followed at once by an integer
    /// (<c>{_paramPrefix}{index}</c>, "@0"), or a variable that says it holds placeholders or parameter names
    /// (<c>values ({parameterList})</c>, <c>{placeholders}</c>): the values themselves are bound as parameters.
    /// </summary>
    static bool IsPlaceholder(IOperation hole, List<Segment> template, int index)
    {
        if (index + 1 < template.Count && template[index + 1].Text == SqlHolePositions.IntegerPlaceholder)
            return true;
        var unwrapped = MethodScope.Unwrap(hole);
        // names.Select(n => "@" + n) joined into a list: parameter names, whatever the list is called.
        if (unwrapped is IInvocationOperation { TargetMethod.Name: "Select" } select && SelectsPrefixedNames(select))
            return true;
        var name = unwrapped switch
        {
            ILocalReferenceOperation local => local.Local.Name,
            IParameterReferenceOperation parameter => parameter.Parameter.Name,
            IFieldReferenceOperation field => field.Field.Name,
            IPropertyReferenceOperation property => property.Property.Name,
            // A dialect's `PrefixParameter("Id")`, `GetParameterName(column)`: the placeholder it writes.
            IInvocationOperation invocation => invocation.TargetMethod.Name,
            _ => null,
        };
        return name is not null
            && (name.IndexOf("param", System.StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf("placeholder", System.StringComparison.OrdinalIgnoreCase) >= 0);
    }

    /// <summary>A <c>Select</c> whose lambda returns a name behind a parameter prefix (<c>"@" + name</c>, <c>$":{name}"</c>).</summary>
    static bool SelectsPrefixedNames(IInvocationOperation select)
    {
        foreach (var argument in select.Arguments)
        {
            if (MethodScope.Unwrap(argument.Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
                && lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } returned })
            {
                return LeadingText(returned) is string text && text.Length > 0 && text[0] is '@' or ':' or '$' or '?';
            }
        }
        return false;
    }

    /// <summary>The constant text an expression starts with, or null.</summary>
    static string? LeadingText(IOperation? operation)
    {
        operation = MethodScope.Unwrap(operation);
        return operation switch
        {
            { ConstantValue: { HasValue: true, Value: var value } } => value?.ToString(),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } add => LeadingText(add.LeftOperand),
            IInterpolatedStringOperation { Parts: { Length: > 0 } parts } when parts[0] is IInterpolatedStringTextOperation text => text.Text.ConstantValue.Value as string,
            _ => null,
        };
    }

    /// <summary>
    /// A method result that names a column or a table (a dialect's <c>FormatColumn(table, "Id")</c>,
    /// <c>GetColumnName(property)</c>): after <c>=</c> outside a string literal it is the other side of a
    /// join condition, an identifier, not a value.
    /// </summary>
    static bool NamesAnIdentifier(IOperation hole)
        => MethodScope.Unwrap(hole) is IInvocationOperation invocation
            && (invocation.TargetMethod.Name.IndexOf("Column", System.StringComparison.Ordinal) >= 0
                || invocation.TargetMethod.Name.IndexOf("Table", System.StringComparison.Ordinal) >= 0
                || invocation.TargetMethod.Name.IndexOf("Identifier", System.StringComparison.Ordinal) >= 0);

    static string TextOf(List<Segment> template, int from, int to)
    {
        var text = new StringBuilder();
        for (var i = from; i < to; i++)
        {
            var segment = template[i];
            if (segment.Text is string constant)
                text.Append(constant);
            else if (segment.Hole is not null || segment.Member is not null)
                text.Append(SqlHolePositions.Placeholder);
            else if (segment.Alternatives is { Count: > 0 } alternatives)
                text.Append(TextOf(alternatives[0], 0, alternatives[0].Count));
        }
        return text.ToString();
    }

    /// <summary>
    /// A readonly text field: a piece of its own (<see cref="SqlPieceSource.Configuration"/>), so that the
    /// configured-names option can see it, while every rule by default trusts it as before.
    /// </summary>
    /// <remarks>
    /// Only a field of this compilation whose value is not written down beside it: one initialized with a literal
    /// (<c>readonly string _table = "entries";</c>) is fixed text, not configuration.
    /// </remarks>
    static bool IsReadonlyText(IOperation operation)
    {
        if (operation is not IFieldReferenceOperation { Field: { IsReadOnly: true, IsConst: false } field } || !IsText(field.Type)
            || field.DeclaringSyntaxReferences.Length == 0)
            return false;
        return field.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax
        {
            Initializer.Value: Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.InterpolatedStringExpressionSyntax,
        };
    }

    /// <summary>A parameter (directly, or through locals assigned only from parameters) comes from the caller.</summary>
    SqlPieceSource SourceOf(IOperation operation)
    {
        if (IsReadonlyText(MethodScope.Unwrap(operation)!))
            return SqlPieceSource.Configuration;
        var visiting = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        return FromCaller(operation, visiting, 0) ? SqlPieceSource.Caller : SqlPieceSource.Elsewhere;
    }

    bool FromCaller(IOperation operation, HashSet<ILocalSymbol> visiting, int depth)
    {
        if (depth > MaxDepth)
            return false;
        switch (operation)
        {
            case IConversionOperation conversion:
                return FromCaller(conversion.Operand, visiting, depth + 1);
            case IParameterReferenceOperation parameter:
                // A primary constructor's parameter is the type's configuration, not this call's input.
                if (parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                    && constructor.DeclaringSyntaxReferences.Length > 0
                    && constructor.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax)
                    return false;
                // A private helper's parameter comes from the caller only if some call site hands on
                // what its own caller passed (a computed filter or a literal list does not).
                return CallSiteArguments(parameter) is not List<(SqlTextBuilding Building, IOperation Argument)> sites
                    || sites.Exists(site => depth + 2 <= MaxDepth && site.Building.FromCaller(site.Argument, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), depth + 2));
            case ILocalReferenceOperation local when _assignments.TryGetValue(local.Local, out var values) && visiting.Add(local.Local):
                foreach (var value in values)
                {
                    if (FromCaller(value, visiting, depth + 1))
                        return true;
                }
                return false;
        }
        return false;
    }

    /// <summary>A parameter (directly, or a local assigned once from it) that every caller fills with literal text.</summary>
    bool IsConstantFromEveryCaller(IOperation hole)
    {
        hole = MethodScope.Unwrap(hole)!;
        if (hole is ILocalReferenceOperation local && _assignments.TryGetValue(local.Local, out var values) && values.Count == 1)
            hole = MethodScope.Unwrap(values[0])!;
        return hole is IParameterReferenceOperation parameter && EveryCallerPassesConstantText(parameter);
    }

    /// <summary>
    /// For a parameter of a private method or a local function: every call in this file passes text
    /// built only from literals (a list of schema names assembled by the public entry point), directly
    /// or handed down from the caller's own such parameter.
    /// </summary>
    bool EveryCallerPassesConstantText(IParameterReferenceOperation reference, int depth = 0)
    {
        if (CallSiteArguments(reference) is not List<(SqlTextBuilding Building, IOperation Argument)> sites)
            return false;
        foreach (var (building, argument) in sites)
        {
            if (!building.IsConstantText(argument)
                && !(depth < MaxDepth && MethodScope.Unwrap(argument) is IParameterReferenceOperation forwarded && EveryCallerPassesConstantText(forwarded, depth + 1)))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Every argument passed to a parameter of a private method or local function, with the text
    /// building of the calling body; null when some use cannot be seen (a delegate, another file) or
    /// there is no call. Read once per parameter (both the constant check and the source ask), and the
    /// building of a calling body is made once however many calls it has.
    /// </summary>
    List<(SqlTextBuilding Building, IOperation Argument)>? CallSiteArguments(IParameterReferenceOperation reference)
        => _callSites.GetOrAdd(reference.Parameter, _ => ReadCallSiteArguments(reference));

    readonly System.Collections.Concurrent.ConcurrentDictionary<IParameterSymbol, List<(SqlTextBuilding, IOperation)>?> _callSites = new(SymbolEqualityComparer.Default);
    readonly System.Collections.Concurrent.ConcurrentDictionary<IOperation, SqlTextBuilding> _callerBuildings = new();

    List<(SqlTextBuilding Building, IOperation Argument)>? ReadCallSiteArguments(IParameterReferenceOperation reference)
    {
        var parameter = reference.Parameter;
        if (parameter.ContainingSymbol is not IMethodSymbol method || reference.SemanticModel is not SemanticModel model)
            return null;
        SyntaxNode? scope = method.MethodKind == MethodKind.LocalFunction
            ? method.DeclaringSyntaxReferences.Length > 0 ? method.DeclaringSyntaxReferences[0].GetSyntax().Parent : null
            : method.DeclaredAccessibility == Accessibility.Private && method.ContainingType?.DeclaringSyntaxReferences.Length == 1
                ? method.ContainingType.DeclaringSyntaxReferences[0].GetSyntax()
                : null;
        if (scope is null && method.MethodKind == MethodKind.Ordinary && CompilationCalls.IsInternalToAssembly(method))
            return ReadCallSitesInCompilation(method, parameter);
        if (scope is null || scope.SyntaxTree != model.SyntaxTree)
            return null;

        var sites = new List<(SqlTextBuilding, IOperation)>();
        foreach (var name in scope.DescendantNodes())
        {
            if (name is not Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax simple || simple.Identifier.ValueText != method.Name
                || name.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax)
                continue;
            var callee = name.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access && access.Name == name ? access : (SyntaxNode)name;
            if (callee.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call
                || model.GetOperation(call) is not IInvocationOperation invocation
                || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, method.OriginalDefinition))
                return null; // used as a delegate, or another method of that name: unknown
            if (!AddCallSite(sites, invocation, parameter))
                return null;
        }
        return sites.Count > 0 ? sites : null;
    }

    /// <summary>
    /// The call sites of a method only this assembly can call (it, or a type around it, is internal or
    /// private), in any file: what its callers pass is all it can ever receive.
    /// </summary>
    List<(SqlTextBuilding Building, IOperation Argument)>? ReadCallSitesInCompilation(IMethodSymbol method, IParameterSymbol parameter)
    {
        var sites = new List<(SqlTextBuilding, IOperation)>();
        foreach (var call in _calls.Named(method.Name))
        {
            if (!_calls.Compilation.ContainsSyntaxTree(call.SyntaxTree))
                continue;
#pragma warning disable RS1030 // The callers of an internal method, read once per parameter and compilation.
            var model = _calls.Compilation.GetSemanticModel(call.SyntaxTree);
#pragma warning restore RS1030
            if (model.GetOperation(call) is not IInvocationOperation invocation
                || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, method.OriginalDefinition))
                continue; // another method of that name
            if (!AddCallSite(sites, invocation, parameter))
                return null;
        }
        return sites.Count > 0 ? sites : null;
    }

    /// <summary>
    /// Adds what <paramref name="invocation"/> passes to <paramref name="parameter"/>, with the text building of
    /// the calling body (made once per body). False when the argument cannot be read or there are too many calls.
    /// </summary>
    bool AddCallSite(List<(SqlTextBuilding Building, IOperation Argument)> sites, IInvocationOperation invocation, IParameterSymbol parameter)
    {
        IOperation? argument = null;
        foreach (var candidate in invocation.Arguments)
        {
            if (candidate.Parameter?.Ordinal == parameter.Ordinal)
                argument = candidate.Value;
        }
        if (argument is null)
            return false;
        var root = (IOperation)invocation;
        while (root.Parent is not null)
            root = root.Parent;
        sites.Add((_callerBuildings.GetOrAdd(root, r => new SqlTextBuilding(r, _quoting, _calls)), argument));
        return sites.Count <= 32;
    }

    /// <summary>Text built here from literals only (and pieces that cannot carry SQL).</summary>
    bool IsConstantText(IOperation operation)
    {
        if (operation.ConstantValue.HasValue)
            return true;
        var template = new List<Segment>();
        Flatten(operation, building: true, depth: 0, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), template);
        return !HasHole(template);
    }

    static bool HasHole(List<Segment> template)
    {
        foreach (var segment in template)
        {
            if (segment.Hole is not null || segment.Member is not null)
                return true;
            if (segment.Alternatives is not null)
            {
                foreach (var alternative in segment.Alternatives)
                {
                    if (HasHole(alternative))
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>Values that cannot carry SQL, or text that went through a quoting or escaping function.</summary>
    bool IsSafe(IOperation operation)
    {
        switch (operation)
        {
            case INameOfOperation:
                return true;
            case IFieldReferenceOperation { Field.IsReadOnly: true }:
                // Readonly configuration (schema names set once at startup) is trusted: precision first.
                return true;
            case IPropertyReferenceOperation { Property: { Name: "NewLine", IsStatic: true, ContainingType: { Name: "Environment", ContainingNamespace.Name: "System" } } }:
                return true;
            case IInvocationOperation { TargetMethod.Name: "ToString", Instance: IOperation instance } when IsSafeHoleType(instance.Type):
                return true;
            case IInvocationOperation invocation when _quoting.IsQuotingFunction(invocation.TargetMethod) || SqlQuoting.DoublesAQuote(invocation):
                return true;
        }
        return IsSafeHoleType(operation.Type);
    }

    /// <summary>The value a handler's AppendLiteral/AppendFormatted call appends.</summary>
    static IOperation? AppendedArgument(IInterpolatedStringAppendOperation append)
        => append.AppendCall is IInvocationOperation { Arguments.Length: > 0 } call ? call.Arguments[0].Value : null;

    /// <summary>Where an invocation's own arguments start (after its receiver chain).</summary>
    static int ArgumentsStart(IOperation operation)
        => operation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation ? invocation.ArgumentList.SpanStart
            : operation.Syntax.SpanStart;

        /// <summary>The receiver of an Append, looking through chained Appends (sb.Append(a).Append(b)).</summary>
    static IOperation? Receiver(IInvocationOperation invocation)
    {
        var receiver = invocation.Instance;
        while (receiver is IInvocationOperation { TargetMethod.Name: "Append" or "AppendLine" or "AppendFormat" } chained)
            receiver = chained.Instance;
        return receiver;
    }

    static bool IsStringMethod(IInvocationOperation invocation, string name)
        => invocation.TargetMethod.ContainingType?.SpecialType == SpecialType.System_String
        && invocation.TargetMethod.IsStatic
        && invocation.TargetMethod.Name == name;

    static bool IsStringBuilder(ITypeSymbol? type)
        => type?.ToDisplayString() == "System.Text.StringBuilder";

    static bool IsText(ITypeSymbol? type)
        => type is not null && (type.SpecialType is SpecialType.System_String or SpecialType.System_Object || IsStringBuilder(type));

    /// <summary>Types whose text form cannot carry SQL: numbers, bool, Guid, dates and times, enums.</summary>
    public static bool IsSafeHoleType(ITypeSymbol? type)
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
