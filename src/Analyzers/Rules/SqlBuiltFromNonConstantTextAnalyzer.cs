using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB201: command text reaching an Npgsql sink is built (interpolation, concatenation,
/// string.Format/Concat, StringBuilder) from a non-constant string.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SqlBuiltFromNonConstantTextAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SqlBuiltFromNonConstantText,
        title: "SQL built from non-constant text",
        messageFormat: "The SQL passed to '{0}' is built from '{1}', which is not a constant: pass the value as a parameter ($n) instead",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Text spliced into SQL is parsed by PostgreSQL as SQL: a quote in it ends the string and the rest runs as commands (SQL injection). Parameters travel separately from the statement and are never parsed. Numbers, bools, Guids, dates and enums cannot carry SQL and are allowed.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SqlBuiltFromNonConstantText));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation) is not NpgsqlSymbols symbols)
                return;
            var sinks = new SqlSinks(start.Compilation, symbols);
            start.RegisterOperationAction(
                c => Analyze(c, sinks),
                OperationKind.ObjectCreation, OperationKind.SimpleAssignment, OperationKind.Invocation);
        });
    }

    static void Analyze(OperationAnalysisContext context, SqlSinks sinks)
    {
        if (SqlSinks.StringConvertedToPgSql(context.Operation) is (IOperation text, string querySink))
        {
            // PgBorrow's query API: interpolate (each hole becomes a parameter) or pass a constant.
            if (!text.ConstantValue.HasValue)
            {
                var body = context.Operation;
                while (body.Parent is not null)
                    body = body.Parent;
                var offending = new SqlTextBuilding(body).UnsafePiece(text) ?? text;
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, offending.Syntax.GetLocation(), querySink, Shorten(offending.Syntax.ToString())));
            }
            return;
        }

        var found = sinks.SqlOf(context.Operation, ImmutableArray<string>.Empty);
        if (found is null && context.Operation is IInvocationOperation)
        {
            // A team's own helpers that take SQL text, named in .editorconfig.
            var options = context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree);
            if (options.TryGetValue(SqlSinks.AdditionalSinksOption, out var value))
                found = sinks.SqlOf(context.Operation, SqlSinks.ParseSinkList(value));
        }
        if (found is not (IOperation sql, string sink))
            return;
        if (sql.ConstantValue.HasValue)
            return;

        var root = context.Operation;
        while (root.Parent is not null)
            root = root.Parent;
        var piece = new SqlTextBuilding(root).UnsafePiece(sql);
        if (piece is null)
            return;
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, piece.Syntax.GetLocation(), sink, Shorten(piece.Syntax.ToString())));
    }

    static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
