using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB109: session state under transaction pooling. A pooler in transaction mode (PgBouncer
/// <c>pool_mode = transaction</c>) gives a client a server connection for one transaction only, so whatever a
/// statement leaves in the session (a session advisory lock, LISTEN, a plain SET, a prepared statement, a temp
/// table, a WITH HOLD cursor) stays on a connection the next client gets. Silent unless the project says it
/// runs behind such a pooler (<c>pgborrow.connection_pooling = transaction</c> in <c>.editorconfig</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SessionStateUnderTransactionPoolingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>How the project reaches PostgreSQL: <c>transaction</c> turns the rule on; <c>session</c> or absent, off.</summary>
    public const string ConnectionPoolingOption = "pgborrow.connection_pooling";

    /// <summary><c>true</c> when the pooler keeps protocol-level prepared statements (PgBouncer 1.21+ <c>max_prepared_statements</c>).</summary>
    public const string PreparedStatementsOption = "pgborrow.pgbouncer_prepared_statements";

    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SessionStateUnderTransactionPooling,
        title: "Session state under transaction pooling",
        messageFormat: "{0}, which under transaction pooling stays with a server connection the pooler hands to other clients: {1}",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A pooler in transaction mode lends a server connection for one transaction. Session advisory locks, LISTEN, SET without LOCAL, set_config(..., false), prepared statements, temp tables without ON COMMIT DROP and WITH HOLD cursors stay in that server session after the transaction: the next client inherits them and this client's next transaction may not see them. Reported only when .editorconfig declares pgborrow.connection_pooling = transaction.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SessionStateUnderTransactionPooling));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    static readonly IReadOnlyList<string> s_noAdditionalSinks = Array.Empty<string>();

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
                return;
            var sinks = new SqlSinks(start.Compilation, symbols);
            start.RegisterOperationAction(c =>
            {
                if (!IsOn(c.Options, c.Operation.Syntax.SyntaxTree))
                    return;
                var rule = new Check(c, symbols);
                if (sinks.SqlOf(c.Operation, s_noAdditionalSinks) is (IOperation sql, _))
                    rule.Sql(sql);
                switch (c.Operation)
                {
                    case IInvocationOperation invocation:
                        rule.Invocation(invocation);
                        break;
                    case ISimpleAssignmentOperation assignment:
                        rule.Assignment(assignment);
                        break;
                    case IObjectCreationOperation creation:
                        rule.ConnectionStringArguments(creation.Arguments);
                        break;
                }
            }, OperationKind.Invocation, OperationKind.SimpleAssignment, OperationKind.ObjectCreation);
            // The runtime's PgQueryOptions.Prepared: the query method prepares the statement.
            start.RegisterOperationAction(c =>
            {
                if (c.Operation is IPropertyReferenceOperation { Property: { Name: "Prepared", IsStatic: true } property }
                    && IsQueryOptions(property.ContainingType) && IsOn(c.Options, c.Operation.Syntax.SyntaxTree))
                    new Check(c, symbols).RuntimePreparation(c.Operation, "PgQueryOptions.Prepared");
            }, OperationKind.PropertyReference);
        });
    }

    static bool IsQueryOptions(INamedTypeSymbol? type)
        => type is { Name: "PgQueryOptions", ContainingNamespace: { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true } };

    static bool IsOn(AnalyzerOptions options, SyntaxTree tree)
        => string.Equals(RuleOptions.Get(options, tree, ConnectionPoolingOption)?.Trim(), "transaction", StringComparison.OrdinalIgnoreCase);

    /// <summary>The checks at one operation: its constant SQL, the runtime and Npgsql calls, the connection string settings.</summary>
    readonly struct Check
    {
        readonly OperationAnalysisContext _context;
        readonly NpgsqlSymbols _symbols;

        public Check(OperationAnalysisContext context, NpgsqlSymbols symbols)
        {
            _context = context;
            _symbols = symbols;
        }

        bool PreparedStatementsKept
            => string.Equals(RuleOptions.Get(_context.Options, _context.Operation.Syntax.SyntaxTree, PreparedStatementsOption)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

        public void Invocation(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            ConnectionStringArguments(invocation.Arguments);
            if (NpgsqlCalls.IsRuntimeLibrary(method))
            {
                switch (method.Name)
                {
                    case "AdvisoryLockAsync" or "TryAdvisoryLockAsync":
                        Report(invocation, $"'{method.Name}' takes a session advisory lock",
                            $"use {(method.Name == "TryAdvisoryLockAsync" ? "TryAdvisoryXactLockAsync" : "AdvisoryXactLockAsync")} inside a transaction scope");
                        return;
                    case "ListenAsync":
                        Report(invocation, "'ListenAsync' subscribes the session to a channel with LISTEN",
                            "listen through a data source that connects to PostgreSQL directly, not through the pooler");
                        return;
                }
                if (NpgsqlCalls.StatementTextArgument(invocation) is IArgumentOperation text)
                    Sql(text.Value);
                return;
            }
            if (method.Name is "Prepare" or "PrepareAsync" && NpgsqlCalls.Classify(invocation, _symbols) == CallKind.ExecuteCommand && !PreparedStatementsKept)
            {
                Report(invocation, $"'{method.Name}' creates a server-side prepared statement in the session",
                    PrepareRemedy("run the command unprepared"));
            }
        }

        public void Assignment(ISimpleAssignmentOperation assignment)
        {
            if (assignment.Target is not IPropertyReferenceOperation property)
                return;
            if (property.Property is { Name: "MaxAutoPrepare", ContainingType.Name: "NpgsqlConnectionStringBuilder" }
                && assignment.Value.ConstantValue is { HasValue: true, Value: int count } && count > 0 && !PreparedStatementsKept)
            {
                Report(assignment, $"'MaxAutoPrepare = {count}' makes Npgsql prepare statements in the session automatically", AutoPrepareRemedy);
            }
            else if (property.Property.Name == "Prepare" && IsQueryOptions(property.Property.ContainingType)
                && assignment.Value.ConstantValue is { HasValue: true, Value: true })
            {
                RuntimePreparation(assignment, "Prepare = true");
            }
            else if (property.Property.Name == "ConnectionString" && IsConnectionStringOwner(property.Property.ContainingType))
            {
                ConnectionString(assignment.Value);
            }
        }

        static string AutoPrepareRemedy => PrepareRemedy("leave automatic preparation off");

        public void RuntimePreparation(IOperation at, string setting)
        {
            if (!PreparedStatementsKept)
                Report(at, $"'{setting}' makes the query method prepare the statement in the session", PrepareRemedy("run the query unprepared"));
        }

        static string PrepareRemedy(string alternative)
            => alternative + ", or on PgBouncer 1.21+ with max_prepared_statements set " + PreparedStatementsOption + " = true";

        public void ConnectionStringArguments(ImmutableArray<IArgumentOperation> arguments)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter is { Name: "connectionString", Type.SpecialType: SpecialType.System_String } && argument.ArgumentKind != ArgumentKind.DefaultValue)
                    ConnectionString(argument.Value);
            }
        }

        void ConnectionString(IOperation value)
        {
            if (PreparedStatementsKept || _symbols.MemberConstants.ConstantString(value, _context.CancellationToken) is not string text)
                return;
            foreach (var setting in text.Split(';'))
            {
                var equals = setting.IndexOf('=');
                if (equals < 0 || !string.Equals(setting.Substring(0, equals).Replace(" ", "").Trim(), "MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (int.TryParse(setting.Substring(equals + 1).Trim(), out var count) && count > 0)
                    Report(value, $"'{setting.Trim()}' in the connection string makes Npgsql prepare statements in the session automatically", AutoPrepareRemedy);
            }
        }

        static bool IsConnectionStringOwner(INamedTypeSymbol? type)
            => type is not null && type.ContainingNamespace?.Name == "Npgsql"
            || type?.Name is "DbConnection" or "IDbConnection" or "DbConnectionStringBuilder";

        /// <summary>The session state the constant SQL text at a sink creates.</summary>
        public void Sql(IOperation sql)
        {
            if (_symbols.MemberConstants.ConstantString(sql, _context.CancellationToken) is not string text)
                return;
            var classified = SqlClassifier.Classify(text);
            var transactionOpened = false;
            foreach (var statement in classified.Statements)
            {
                if (statement.Verb is "BEGIN" or "START")
                    transactionOpened = true;
                foreach (var call in statement.AdvisoryLocks)
                {
                    if (call.SessionLevel && !call.Unlock)
                        Report(sql, $"'{call.Function}' takes a session advisory lock", $"use {XactFunction(call)} inside a transaction");
                }
                foreach (var use in statement.SessionState)
                {
                    if (use.Kind == SessionStateKind.ExportSnapshot && (transactionOpened || TransactionVisible(sql)))
                        continue;
                    var (what, instead) = Describe(use);
                    Report(sql, what, instead);
                }
            }
        }

        static string XactFunction(AdvisoryLockCall call)
            => (call.Try ? "pg_try_advisory_xact_lock" : "pg_advisory_xact_lock") + (call.Shared ? "_shared" : "");

        static (string What, string Instead) Describe(SessionStateUse use)
            => use.Kind switch
            {
                SessionStateKind.SetParameter => ($"'SET {use.Detail}' without LOCAL changes the setting for the rest of the session",
                    "use SET LOCAL (or set_config(..., true)) inside a transaction"),
                SessionStateKind.SetConfig => ($"'set_config('{use.Detail}', ..., false)' changes the setting for the rest of the session",
                    "pass true as its third argument, inside a transaction"),
                SessionStateKind.Listen => ($"'LISTEN {use.Detail}' subscribes the session to a channel",
                    "listen on a connection that goes to PostgreSQL directly, not through the pooler"),
                SessionStateKind.Prepare => ($"'PREPARE {use.Detail}' creates a named prepared statement in the session",
                    "run the statement itself with parameters"),
                SessionStateKind.TempTable => ($"'CREATE TEMP TABLE {use.Detail}' without ON COMMIT DROP keeps the table for the rest of the session",
                    "add ON COMMIT DROP and use the table inside that one transaction"),
                SessionStateKind.HoldCursor => ($"'DECLARE {use.Detail} ... WITH HOLD' keeps the cursor open in the session after the transaction",
                    "declare the cursor without HOLD and read it inside its transaction"),
                _ => ("'pg_export_snapshot()' runs outside a transaction, so its snapshot ends with the statement",
                    "export it inside the transaction that stays open while others import it, or use ExportSnapshotAsync"),
            };

        /// <summary>
        /// Whether the code around the SQL runs it in a transaction: the enclosing function begins one, or has a
        /// transaction (an Npgsql or ADO.NET transaction, a runtime <c>PgTx</c>) at hand.
        /// </summary>
        bool TransactionVisible(IOperation sql)
        {
            var root = sql;
            while (root.Parent is not null)
                root = root.Parent;
            foreach (var operation in root.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInvocationOperation invocation when NpgsqlCalls.Classify(invocation, _symbols) == CallKind.BeginTransaction:
                        return true;
                    case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                        when _symbols.KindOfVariableType(operation.Type) == ResourceKind.Transaction || (_symbols.Scopes?.IsPgTx(operation.Type) ?? false):
                        return true;
                }
            }
            return false;
        }

        void Report(IOperation at, string what, string instead)
            => _context.ReportDiagnostic(Diagnostic.Create(Descriptor, at.Syntax.GetLocation(), what, instead));
    }
}
