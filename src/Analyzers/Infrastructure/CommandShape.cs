using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>A property of a command that links it to what it runs: its connection, its transaction, its SQL.</summary>
internal enum CommandProperty
{
    None,
    Connection,
    Transaction,
    CommandText,
}

/// <summary>
/// Which operands of a command creation (<c>new NpgsqlCommand(sql, conn, tx) { Connection = ..., CommandText = ... }</c>)
/// name its SQL text, connection and transaction, and which property a <c>cmd.X = value</c> sets. Read here
/// once for the engine (<c>MethodScope</c>), <c>ConnectionAliases</c>, PGB202 and <c>SqlSinks</c>.
/// </summary>
/// <remarks>
/// Only where the operands are: whether the creation is a command type, how an operand resolves to a symbol
/// or a constant, and which one wins when both the constructor and the initializer name one, each reader
/// decides (the engine lets the initializer win, <c>ConnectionAliases</c> the constructor; C# allows one
/// initializer per property and Npgsql's constructors take one connection, so they rarely meet).
/// </remarks>
internal readonly struct CommandShape
{
    CommandShape(IArgumentOperation? textArgument, IOperation? connectionArgument, IOperation? transactionArgument,
        IOperation? textInitializer, IOperation? connectionInitializer, IOperation? transactionInitializer, bool initializesOtherMembers)
    {
        TextArgument = textArgument;
        ConnectionArgument = connectionArgument;
        TransactionArgument = transactionArgument;
        TextInitializer = textInitializer;
        ConnectionInitializer = connectionInitializer;
        TransactionInitializer = transactionInitializer;
        InitializesOtherMembers = initializesOtherMembers;
    }

    /// <summary>
    /// The SQL text given to the constructor: an explicit string argument named <c>cmdText</c> (the
    /// commands) or <c>commandText</c> (<c>NpgsqlBatchCommand</c>). The argument, so that a reader can tell
    /// the two apart.
    /// </summary>
    public IArgumentOperation? TextArgument { get; }

    /// <summary>The argument of a connection-typed parameter.</summary>
    public IOperation? ConnectionArgument { get; }

    /// <summary>The argument of a transaction-typed parameter.</summary>
    public IOperation? TransactionArgument { get; }

    /// <summary>The value of <c>CommandText = ...</c> in the object initializer.</summary>
    public IOperation? TextInitializer { get; }

    /// <summary>The value of <c>Connection = ...</c> in the object initializer.</summary>
    public IOperation? ConnectionInitializer { get; }

    /// <summary>The value of <c>Transaction = ...</c> in the object initializer.</summary>
    public IOperation? TransactionInitializer { get; }

    /// <summary>The initializer fills a member's own contents (<c>Parameters = { ... }</c>).</summary>
    public bool InitializesOtherMembers { get; }

    public static CommandShape Read(IObjectCreationOperation creation, NpgsqlSymbols symbols)
    {
        IArgumentOperation? text = null;
        IOperation? connection = null, transaction = null;
        foreach (var argument in creation.Arguments)
        {
            var parameter = argument.Parameter;
            if (parameter is null)
                continue;
            if (text is null && parameter is { Type.SpecialType: SpecialType.System_String, Name: "cmdText" or "commandText" } && argument.ArgumentKind != ArgumentKind.DefaultValue)
                text = argument;
            switch (symbols.KindOfVariableType(parameter.Type))
            {
                case ResourceKind.Connection:
                    connection ??= argument.Value;
                    break;
                case ResourceKind.Transaction:
                    transaction ??= argument.Value;
                    break;
            }
        }

        IOperation? textInitializer = null, connectionInitializer = null, transactionInitializer = null;
        var otherMembers = false;
        if (creation.Initializer is not null)
        {
            foreach (var initializer in creation.Initializer.Initializers)
            {
                if (initializer is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } set)
                {
                    switch (PropertyOf(property))
                    {
                        case CommandProperty.Connection:
                            connectionInitializer = set.Value;
                            break;
                        case CommandProperty.Transaction:
                            transactionInitializer = set.Value;
                            break;
                        case CommandProperty.CommandText:
                            textInitializer = set.Value;
                            break;
                    }
                }
                else if (initializer is IMemberInitializerOperation)
                {
                    otherMembers = true;
                }
            }
        }
        return new CommandShape(text, connection, transaction, textInitializer, connectionInitializer, transactionInitializer, otherMembers);
    }

    /// <summary>Which link a property of a command is, by name (the command type is the reader's to check).</summary>
    public static CommandProperty PropertyOf(IPropertyReferenceOperation property)
        => property.Property.Name switch
        {
            "Connection" => CommandProperty.Connection,
            "Transaction" => CommandProperty.Transaction,
            "CommandText" => CommandProperty.CommandText,
            _ => CommandProperty.None,
        };
}
