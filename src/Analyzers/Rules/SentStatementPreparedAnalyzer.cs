using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Offline;
using PgBorrow.Analyzers.Sql;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB331-PGB333 for the SQL a project sends outside [PgQuery] (the runtime query API, Npgsql commands, Dapper):
/// every statement <c>pgborrow prepare</c> would describe (found by the same <see cref="SentStatementFinder"/>) has a
/// file in <c>.pgborrow/</c> (PGB331); a runtime query reading a [PgRow] type (<c>QueryAsync&lt;T&gt;</c>,
/// <c>QuerySingleAsync&lt;T&gt;</c>...) or a scalar (<c>ExecuteScalarAsync&lt;T&gt;</c>) gets the checks a [PgQuery]
/// gets (PGB332, PGB333), and its holes are checked against the placeholders they fill (PGB334). Silent when the
/// project has no such file.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SentStatementPreparedAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(
        PreparedStatementAnalyzer.NotPrepared, PreparedStatementAnalyzer.ColumnsDoNotFitRow, PreparedStatementAnalyzer.ScalarDoesNotFit,
        QueryParameterDoesNotFitAnalyzer.Descriptor);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        // Generated code is left out: the [PgQuery] generator's commands are checked through their attribute.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var statements = PreparedStatements.From(start.Options);
            if (!statements.Any)
                return;
            var finder = new SentStatementFinder(start.Compilation, start.Options);
            var rowInterfaceFound = start.Compilation.GetTypeByMetadataName(PgRowShapeCheck.RowInterfaceName) is not null;
            start.RegisterOperationAction(
                c => Analyze(c, finder, statements, rowInterfaceFound),
                OperationKind.ObjectCreation, OperationKind.SimpleAssignment, OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, SentStatementFinder finder, PreparedStatements statements, bool rowInterfaceFound)
    {
        if (finder.Find(context.Operation) is not { CommandText: { } commandText } sent)
            return;
        var location = context.Operation.Syntax.GetLocation();
        void Report(DiagnosticDescriptor rule, string detail) => context.ReportDiagnostic(Diagnostic.Create(rule, location, sent.Sink, detail));
        void ReportNotPrepared(string detail) => context.ReportDiagnostic(Diagnostic.Create(PreparedStatementAnalyzer.NotPrepared, location,
            PreparedStatementAnalyzer.RequiredSeverity(context.Options), additionalLocations: null, properties: null, sent.Sink, detail));

        var file = statements.Find(commandText, placeholderCount: null, context.CancellationToken);
        if (file.NotPreparedDetail("statement") is { } notPrepared)
        {
            ReportNotPrepared(notPrepared);
            return;
        }
        var statement = file.Statement!;

        if (sent.Api != SentStatementApi.RuntimeQuery)
            return;
        QueryParameterDoesNotFitAnalyzer.CheckHoles(context.ReportDiagnostic, sent, statement);
        if (context.Operation is not IInvocationOperation { TargetMethod: { TypeArguments.Length: 1 } method })
            return;
        var element = method.TypeArguments[0];
        switch (method.Name)
        {
            case "QueryAsync" or "QueryFirstAsync" or "QueryFirstOrDefaultAsync" or "QuerySingleAsync" or "QuerySingleOrDefaultAsync" or "QueryStreamAsync":
                PreparedStatementAnalyzer.CheckRow(Report, element, statement, rowInterfaceFound,
                    PreparedStatementAnalyzer.IsStrict(context.Options, context.Operation.Syntax.SyntaxTree), context.CancellationToken);
                break;
            case "ExecuteScalarAsync":
                PreparedStatementAnalyzer.CheckScalar(Report, element, statement);
                break;
        }
    }
}
