using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>How sure a member's constant values are.</summary>
internal enum MemberValueKind
{
    /// <summary>Every value the member can hold: a const, a readonly field or get-only auto-property only ever given constants, a getter returning one.</summary>
    Fixed,

    /// <summary>A settable (or init) auto-property's initializer: what it holds unless configuration sets it (an options object).</summary>
    Default,
}

/// <summary>The constant values a field or property can hold (<see cref="MemberConstants"/>).</summary>
internal sealed class MemberValues
{
    public MemberValues(MemberValueKind kind, ImmutableArray<object?> values)
    {
        Kind = kind;
        Values = values;
    }

    public MemberValueKind Kind { get; }

    public ImmutableArray<object?> Values { get; }
}

/// <summary>
/// The constants a field or property of this compilation holds, read from its declaration: a const; a
/// readonly field or get-only auto-property whose initializer and constructor assignments are all
/// constants (or conditionals of constants); a property whose getter returns a constant; the
/// initializer of a settable auto-property (<see cref="MemberValueKind.Default"/>). Anything else
/// (a member from another assembly, one assigned from a constructor parameter, a mutable field) is
/// unknown: null. Computed once per member and compilation.
/// </summary>
internal sealed class MemberConstants
{
    readonly Compilation _compilation;
    readonly ConcurrentDictionary<ISymbol, MemberValues?> _cache = new(SymbolEqualityComparer.Default);

    public MemberConstants(Compilation compilation) => _compilation = compilation;

    /// <summary>
    /// The string an operand holds for sure: a constant, or a field or property of this compilation that holds
    /// one constant string (<c>static readonly string Sql = "..."</c> in another class). What every rule that
    /// reads constant SQL asks.
    /// </summary>
    public string? ConstantString(IOperation? operation, CancellationToken cancellationToken)
    {
        operation = Operations.Unwrap(operation);
        if (operation?.ConstantValue is { HasValue: true, Value: string text })
            return text;
        if (operation is not (IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.Length: 0 })
            || operation.Type?.SpecialType != SpecialType.System_String)
            return null;
        return Of(((IMemberReferenceOperation)operation).Member, cancellationToken) is { Kind: MemberValueKind.Fixed, Values: { Length: 1 } values }
            ? values[0] as string
            : null;
    }

    public MemberValues? Of(ISymbol? member, CancellationToken cancellationToken)
    {
        if (member is not (IFieldSymbol or IPropertySymbol))
            return null;
        member = member.OriginalDefinition;
        if (member is IFieldSymbol { IsConst: true, HasConstantValue: true } constant)
            return new MemberValues(MemberValueKind.Fixed, ImmutableArray.Create<object?>(constant.ConstantValue));
        if (member.DeclaringSyntaxReferences.Length != 1)
            return null;
        if (_cache.TryGetValue(member, out var cached))
            return cached;
        MemberValues? values;
        try
        {
            values = Compute(member, cancellationToken);
        }
        catch (System.InvalidOperationException)
        {
            values = null; // a tree outside the compilation, half-written code
        }
        _cache.TryAdd(member, values);
        return values;
    }

    MemberValues? Compute(ISymbol member, CancellationToken cancellationToken)
    {
        var declaration = member.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        if (!_compilation.ContainsSyntaxTree(declaration.SyntaxTree))
            return null;
        switch (member)
        {
            case IFieldSymbol { IsReadOnly: true } field when declaration is VariableDeclaratorSyntax declarator:
                return Stored(field, field.IsStatic, declarator.Initializer?.Value, cancellationToken);
            case IPropertySymbol property when declaration is PropertyDeclarationSyntax syntax:
                if (syntax.ExpressionBody is { } arrow)
                    return Fixed(arrow.Expression, cancellationToken);
                if (syntax.AccessorList is not { } accessors)
                    return null;
                AccessorDeclarationSyntax? getter = null;
                var settable = false;
                foreach (var accessor in accessors.Accessors)
                {
                    if (accessor.IsKind(SyntaxKind.GetAccessorDeclaration))
                        getter = accessor;
                    else
                        settable = true;
                }
                if (getter is null)
                    return null;
                if (getter.ExpressionBody is { } getterArrow)
                    return settable ? null : Fixed(getterArrow.Expression, cancellationToken);
                if (getter.Body is { } body)
                    return !settable && body.Statements.Count == 1 && body.Statements[0] is ReturnStatementSyntax { Expression: { } returned } ? Fixed(returned, cancellationToken) : null;
                // An auto-property.
                foreach (var accessor in accessors.Accessors)
                {
                    if (accessor.Body is not null || accessor.ExpressionBody is not null)
                        return null;
                }
                if (!settable)
                    return Stored(property, property.IsStatic, syntax.Initializer?.Value, cancellationToken);
                return syntax.Initializer?.Value is { } initializer && Constants(initializer, cancellationToken) is { Count: > 0 } defaults
                    ? new MemberValues(MemberValueKind.Default, defaults.ToImmutableArray())
                    : null;
            default:
                return null;
        }
    }

    MemberValues? Fixed(ExpressionSyntax expression, CancellationToken cancellationToken)
        => Constants(expression, cancellationToken) is { Count: > 0 } values ? new MemberValues(MemberValueKind.Fixed, values.ToImmutableArray()) : null;

    /// <summary>
    /// A member only its own type's initializer and constructors can store to: every store must be a
    /// constant. A store the constructor takes from elsewhere (a parameter, configuration) is the
    /// caller's choice, and the member is unknown.
    /// </summary>
    MemberValues? Stored(ISymbol member, bool isStatic, ExpressionSyntax? initializer, CancellationToken cancellationToken)
    {
        var values = new List<object?>();
        if (initializer is not null)
        {
            if (Constants(initializer, cancellationToken) is not { } initial)
                return null;
            values.AddRange(initial);
        }
        foreach (var reference in member.ContainingType.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax type)
                continue;
            // Constructors store to it, and so can an init accessor of the same type: every member is read.
            foreach (var declared in type.Members)
            {
                if (declared is BaseTypeDeclarationSyntax
                    || declared is ConstructorDeclarationSyntax constructor && constructor.Modifiers.Any(SyntaxKind.StaticKeyword) != isStatic)
                    continue;
                foreach (var name in declared.DescendantNodes())
                {
                    if (name is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != member.Name)
                        continue;
                    var target = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : (ExpressionSyntax)identifier;
                    var write = target.Parent switch
                    {
                        AssignmentExpressionSyntax assignment when assignment.Left == target => assignment,
                        ArgumentSyntax { RefKindKeyword.RawKind: not 0 } => (SyntaxNode)target.Parent,
                        PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax => target.Parent,
                        _ => null,
                    };
                    if (write is null)
                        continue;
                    if (!SymbolEqualityComparer.Default.Equals(ModelOf(declared.SyntaxTree).GetSymbolInfo(target, cancellationToken).Symbol?.OriginalDefinition, member))
                        continue;
                    if (write is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } stored
                        || Constants(stored.Right, cancellationToken) is not { } assigned)
                        return null;
                    values.AddRange(assigned);
                }
            }
        }
        return values.Count > 0 ? new MemberValues(MemberValueKind.Fixed, values.ToImmutableArray()) : null;
    }

    /// <summary>The constants an expression can evaluate to: a constant, or each arm of a conditional of constants.</summary>
    List<object?>? Constants(ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
            expression = parenthesized.Expression;
        if (expression is ConditionalExpressionSyntax conditional)
        {
            if (Constants(conditional.WhenTrue, cancellationToken) is not { } whenTrue || Constants(conditional.WhenFalse, cancellationToken) is not { } whenFalse)
                return null;
            whenTrue.AddRange(whenFalse);
            return whenTrue;
        }
        var value = ModelOf(expression.SyntaxTree).GetConstantValue(expression, cancellationToken);
        return value.HasValue ? new List<object?> { value.Value } : null;
    }

#pragma warning disable RS1030 // Declarations of other members, read once per member and cached.
    SemanticModel ModelOf(SyntaxTree tree) => _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
}
