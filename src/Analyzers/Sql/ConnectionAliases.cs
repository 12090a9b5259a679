using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Which connection each command, batch, transaction and reader local of a method body belongs to,
/// read once from the operation tree (flow-insensitive): <c>new NpgsqlCommand(sql, conn)</c>,
/// <c>conn.CreateCommand()</c>, <c>cmd.Connection = conn</c>, <c>conn.BeginTransaction()</c>,
/// <c>cmd.ExecuteReader()</c>. Used by rules that ask "which connection does this operation use?".
/// </summary>
internal sealed class ConnectionAliases
{
    readonly NpgsqlSymbols _symbols;
    readonly Dictionary<ISymbol, ISymbol> _owner = new(SymbolEqualityComparer.Default);

    public ConnectionAliases(IOperation body, NpgsqlSymbols symbols)
    {
        _symbols = symbols;
        // Two passes: a reader's command may be declared after the command's connection is known.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator:
                        var initializer = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                        if (initializer is not null && ConnectionOfCreation(initializer) is ISymbol owner)
                            _owner[declarator.Symbol] = owner;
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment
                        when ConnectionOfCreation(assignment.Value) is ISymbol assignedOwner:
                        _owner[local.Local] = assignedOwner;
                        break;
                    case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment
                        when CommandShape.PropertyOf(property) == CommandProperty.Connection
                        && Symbol(property.Instance) is ISymbol command && Connection(assignment.Value) is ISymbol connection:
                        _owner[command] = connection;
                        break;
                }
            }
        }
    }

    /// <summary>The connection an operand is or belongs to (a local, parameter or field), if known.</summary>
    public ISymbol? Connection(IOperation? operand)
    {
        operand = MethodScope.Unwrap(operand);
        var symbol = Symbol(operand);
        if (symbol is null)
            return null;
        if (_owner.TryGetValue(symbol, out var owner))
            return owner;
        return _symbols.KindOfVariableType(operand!.Type) == ResourceKind.Connection ? symbol : null;
    }

    /// <summary>
    /// The connection a call runs its work on: its receiver's connection, or for Dapper's extension
    /// methods their connection argument.
    /// </summary>
    public ISymbol? ConnectionOfCall(IInvocationOperation invocation)
    {
        var receiver = NpgsqlCalls.Receiver(invocation);
        if (receiver is null)
            return null;
        var isDatabaseCall = NpgsqlSymbols.IsBorrowingLibrary(invocation.TargetMethod);
        return isDatabaseCall ? Connection(receiver) : null;
    }

    ISymbol? ConnectionOfCreation(IOperation value)
    {
        switch (NpgsqlCalls.UnwrapAwaited(value))
        {
            case IObjectCreationOperation creation when _symbols.IsCommandType(creation.Type):
            {
                // A connection the constructor names wins over the initializer's: one link per command is
                // enough here, and the two together do not occur in real code (the engine lets the initializer win).
                var shape = CommandShape.Read(creation, _symbols);
                return Connection(shape.ConnectionArgument) ?? Connection(shape.ConnectionInitializer);
            }
            case IInvocationOperation invocation when NpgsqlSymbols.IsBorrowingLibrary(invocation.TargetMethod)
                && invocation.TargetMethod.Name is "CreateCommand" or "CreateBatch" or "BeginTransaction" or "BeginTransactionAsync" or "ExecuteReader" or "ExecuteReaderAsync":
                return Connection(NpgsqlCalls.Receiver(invocation));
        }
        return null;
    }

    static ISymbol? Symbol(IOperation? operand)
        => MethodScope.Unwrap(operand) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation } property => property.Property,
            _ => null,
        };
}
