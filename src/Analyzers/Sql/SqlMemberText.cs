using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Where a piece of SQL assembled in another member came from, for messages and for the rules: the member
/// that assembled the text (<c>OrderQueries.BuildFilter</c>) and a phrase naming the piece's origin
/// (<c>its parameter 'name', a caller's argument</c>).
/// </summary>
internal sealed record SqlVia(string Member, string From);

/// <summary>
/// The SQL text a member of this compilation assembles and another member runs: a method's return
/// (<c>new NpgsqlCommand(BuildQuery(name), conn)</c>), a getter's, or the values assigned to a field or an
/// auto-property in its type (<c>cmd.CommandText = _selectSql</c>). Each member is read once per compilation, on
/// first need (only when the text at a sink is such a member), to a bounded depth of members calling members;
/// a member met again while it is being read (recursion) adds nothing.
/// </summary>
internal sealed class SqlMemberText
{
    /// <summary>How many members deep text is followed (a sink's method, the method it calls, the one that calls).</summary>
    public const int MaxDepth = 3;

    readonly SqlQuoting _quoting;
    readonly CompilationCalls _calls;
    readonly ConcurrentDictionary<ISymbol, List<SqlPiece>> _pieces = new(SymbolEqualityComparer.Default);

    [ThreadStatic]
    static HashSet<ISymbol>? t_reading;

    public SqlMemberText(SqlQuoting quoting, CompilationCalls calls)
    {
        _quoting = quoting;
        _calls = calls;
    }

    /// <summary>
    /// The non-constant pieces of the text <paramref name="member"/> assembles (their positions read where it
    /// is assembled; a piece from one of a method's own parameters keeps that parameter), or null when the
    /// member is not one whose text can be read here.
    /// </summary>
    public List<SqlPiece>? PiecesOf(ISymbol member, int depth)
    {
        if (depth >= MaxDepth || !IsReadable(member))
            return null;
        member = member.OriginalDefinition;
        if (_pieces.TryGetValue(member, out var known))
            return known;
        var reading = t_reading ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        if (!reading.Add(member))
            return null; // recursion: what it adds is read where the cycle started
        try
        {
            var pieces = Read(member, depth) ?? new List<SqlPiece>();
            return _pieces.GetOrAdd(member, pieces);
        }
        finally
        {
            reading.Remove(member);
        }
    }

    bool IsReadable(ISymbol member)
    {
        if (member.DeclaringSyntaxReferences.Length == 0 || !_calls.Compilation.ContainsSyntaxTree(member.DeclaringSyntaxReferences[0].SyntaxTree))
            return false;
        return member switch
        {
            IMethodSymbol method => method.MethodKind is MethodKind.Ordinary or MethodKind.PropertyGet
                && method.ReturnType.SpecialType == SpecialType.System_String
                && !method.IsAbstract && !_quoting.IsQuotingFunction(method),
            IFieldSymbol field => !field.IsConst && field.Type.SpecialType == SpecialType.System_String,
            IPropertySymbol property => property.Type.SpecialType == SpecialType.System_String && !property.IsAbstract,
            _ => false,
        };
    }

    List<SqlPiece>? Read(ISymbol member, int depth)
    {
        switch (member)
        {
            case IMethodSymbol method:
                return ReadReturns(method, depth);
            case IPropertySymbol property when !IsAutoProperty(property):
                return property.GetMethod is IMethodSymbol getter ? ReadReturns(getter, depth, property) : null;
            default:
                return ReadAssignments(member, depth);
        }
    }

    static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var candidate in property.ContainingType.GetMembers())
        {
            if (candidate is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
                return true;
        }
        return false;
    }

    /// <summary>A method's (or getter's) text: every value it returns, each the whole text.</summary>
    List<SqlPiece>? ReadReturns(IMethodSymbol method, int depth, ISymbol? named = null)
    {
        if (method.DeclaringSyntaxReferences.Length != 1)
            return null;
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        var body = Body(syntax);
        if (body is null)
            return null;
        var root = body;
        while (root.Parent is not null)
            root = root.Parent;
        var building = new SqlTextBuilding(root, _quoting, _calls, this, depth + 1);
        var pieces = new List<SqlPiece>();
        foreach (var operation in root.Descendants())
        {
            if (operation is IReturnOperation { ReturnedValue: { } value } && !InNestedFunction(operation, root))
                Add(pieces, building.Pieces(value), named ?? method);
        }
        return pieces;
    }

    /// <summary>A field's or auto-property's text: each value assigned to it in its type (initializer, constructor, methods).</summary>
    List<SqlPiece>? ReadAssignments(ISymbol member, int depth)
    {
        var pieces = new List<SqlPiece>();
        foreach (var reference in member.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                ExpressionSyntax? value = node switch
                {
                    VariableDeclaratorSyntax { Initializer: { } initializer } declarator when declarator.Identifier.ValueText == member.Name => initializer.Value,
                    PropertyDeclarationSyntax { Initializer: { } initializer } property when property.Identifier.ValueText == member.Name => initializer.Value,
                    AssignmentExpressionSyntax assignment when AssignedName(assignment.Left) == member.Name => assignment.Right,
                    _ => null,
                };
                if (value is null)
                    continue;
#pragma warning disable RS1030 // The assignments of a member whose text reaches a sink, read once per member and compilation.
                var model = _calls.Compilation.GetSemanticModel(value.SyntaxTree);
#pragma warning restore RS1030
                if (node is AssignmentExpressionSyntax assigned)
                {
                    if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assigned.Left).Symbol?.OriginalDefinition, member))
                        continue;
                    if (!assigned.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleAssignmentExpression))
                        return null; // `_sql += ...`: the text before it is not known here
                }
                var operation = model.GetOperation(value);
                if (operation is null)
                    continue;
                var root = operation;
                while (root.Parent is not null)
                    root = root.Parent;
                var building = new SqlTextBuilding(root, _quoting, _calls, this, depth + 1);
                Add(pieces, building.Pieces(operation), member);
            }
        }
        return pieces;
    }

    static string? AssignedName(ExpressionSyntax left)
        => left switch
        {
            IdentifierNameSyntax name => name.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.ValueText,
            _ => null,
        };

    /// <summary>Pieces found in <paramref name="member"/>, named by it unless they came from a member deeper down.</summary>
    static void Add(List<SqlPiece> into, List<SqlPiece> found, ISymbol member)
    {
        foreach (var piece in found)
        {
            if (into.Count >= 32)
                return;
            into.Add(piece.Via is null
                ? piece with { Via = new SqlVia(Name(member), Origin(piece)) }
                : piece);
        }
    }

    static string Name(ISymbol member) => (member.ContainingType is { } type ? type.Name + "." : string.Empty) + member.Name;

    IOperation? Body(SyntaxNode syntax)
    {
        if (syntax is not (MethodDeclarationSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax))
            return null;
#pragma warning disable RS1030 // The body of a member whose text reaches a sink, read once per member and compilation.
        return _calls.Compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
    }

    static bool InNestedFunction(IOperation operation, IOperation root)
    {
        for (var current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return true;
        }
        return false;
    }

    /// <summary>Where a piece came from, as the message says it.</summary>
    static string Origin(SqlPiece piece)
    {
        var hole = Operations.Unwrap(piece.Operation) ?? piece.Operation;
        var text = "'" + Operations.Shorten(piece.Operation.Syntax.ToString()) + "'";
        if (piece.Parameter is IParameterSymbol parameter)
        {
            return parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor }
                ? "its constructor's parameter '" + parameter.Name + "', the constructing code's choice"
                : "its parameter '" + parameter.Name + "', a caller's argument";
        }
        return Kind(hole) is string kind ? text + ", " + kind : text;
    }

    /// <summary>Configuration, a request or a database value, read from the types the piece is reached through.</summary>
    static string? Kind(IOperation hole)
    {
        for (IOperation? current = hole; current is not null; current = current switch
        {
            IPropertyReferenceOperation property => property.Instance,
            IFieldReferenceOperation field => field.Instance,
            IInvocationOperation invocation => invocation.Instance,
            IConversionOperation conversion => conversion.Operand,
            _ => null,
        })
        {
            var type = current switch
            {
                IPropertyReferenceOperation property => property.Property.ContainingType,
                IFieldReferenceOperation field => field.Field.ContainingType,
                IInvocationOperation invocation => invocation.TargetMethod.ContainingType,
                _ => current.Type,
            };
            if (type is null)
                continue;
            var name = type.Name;
            if (name.EndsWith("Options", StringComparison.Ordinal) || name.EndsWith("Settings", StringComparison.Ordinal)
                || name.EndsWith("Configuration", StringComparison.Ordinal) || name.EndsWith("Config", StringComparison.Ordinal))
                return "configuration";
            if (name.EndsWith("DataReader", StringComparison.Ordinal) || name is "IDataRecord" or "DataRow")
                return "a database value";
            if (name.IndexOf("Request", StringComparison.Ordinal) >= 0 || name is "HttpContext" or "IQueryCollection" or "IFormCollection")
                return "a request";
        }
        return null;
    }
}
