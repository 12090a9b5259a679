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
            start.RegisterOperationBlockStartAction(block =>
            {
                // How each local's text was built is read from the body once, and only when a sink
                // receives non-constant text.
                var building = new BodyTextBuilding();
                block.RegisterOperationAction(
                    c => Analyze(c, sinks, building),
                    OperationKind.ObjectCreation, OperationKind.SimpleAssignment, OperationKind.Invocation);
            });
        });
    }

    /// <summary>The <see cref="SqlTextBuilding"/> of the body being analyzed, made on first need.</summary>
    sealed class BodyTextBuilding
    {
        readonly object _gate = new();
        IOperation? _root;
        SqlTextBuilding? _building;

        public SqlTextBuilding For(IOperation operation)
        {
            var root = operation;
            while (root.Parent is not null)
                root = root.Parent;
            lock (_gate)
            {
                if (_building is null || _root != root)
                {
                    _root = root;
                    _building = new SqlTextBuilding(root);
                }
                return _building;
            }
        }
    }

    static void Analyze(OperationAnalysisContext context, SqlSinks sinks, BodyTextBuilding building)
    {
        if (SqlSinks.StringConvertedToPgSql(context.Operation) is (IOperation text, string querySink))
        {
            // PgBorrow's query API: interpolate (each hole becomes a parameter) or pass a constant;
            // any other string is reported, built here or not.
            if (!text.ConstantValue.HasValue)
                Report(context, querySink, building.For(context.Operation).UnsafePiece(text) ?? text);
            return;
        }

        var found = sinks.SqlOf(context.Operation, System.Array.Empty<string>());
        if (found is null && context.Operation is IInvocationOperation)
        {
            // A team's own helpers that take SQL text, named in .editorconfig.
            var options = context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree);
            if (options.TryGetValue(SqlSinks.AdditionalSinksOption, out var value))
                found = sinks.SqlOf(context.Operation, Infrastructure.MemberList.Parse(value));
        }
        if (found is (IOperation sql, string sink) && !sql.ConstantValue.HasValue
            && building.For(context.Operation).UnsafePiece(sql) is IOperation piece)
        {
            Report(context, sink, piece);
        }
    }

    static void Report(OperationAnalysisContext context, string sink, IOperation piece)
        => context.ReportDiagnostic(Diagnostic.Create(Descriptor, piece.Syntax.GetLocation(), sink, Shorten(piece.Syntax.ToString())));

    static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
