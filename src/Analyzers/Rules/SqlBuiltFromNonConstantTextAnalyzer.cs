using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB201: command text reaching an Npgsql sink is built (interpolation, concatenation,
/// string.Format/Concat/Join, StringBuilder) from a non-constant string that lands in a value
/// position (a string literal, a comparison, a VALUES list, a function argument). Identifiers are
/// PGB203's business.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SqlBuiltFromNonConstantTextAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SqlBuiltFromNonConstantText,
        title: "SQL built from non-constant text",
        messageFormat: "The SQL passed to '{0}' is built from '{1}', which is not a constant: {2}",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Text spliced into SQL is parsed by PostgreSQL as SQL: a quote in it ends the string and the rest runs as commands (SQL injection). Parameters travel separately from the statement and are never parsed. Numbers, bools, Guids, dates and enums cannot carry SQL and are allowed.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SqlBuiltFromNonConstantText));

    /// <summary>The same rule when the text was assembled in another member: the message says where, and from what.</summary>
    public static readonly DiagnosticDescriptor AssembledElsewhereDescriptor = new(
        id: RuleIdentifiers.SqlBuiltFromNonConstantText,
        title: "SQL built from non-constant text",
        messageFormat: "The SQL passed to '{0}' is built in '{1}' from {2}, which is not a constant: {3}",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Descriptor.Description.ToString(),
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SqlBuiltFromNonConstantText));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor, AssembledElsewhereDescriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => BuiltSqlFinder.Register(start, Analyze));
    }

    static void Analyze(OperationAnalysisContext context, BuiltSql sql)
    {
        // A value position is reported whatever the text's source. A fragment (a clause, a list) only
        // when the caller hands it in: built here from configuration it is the program's own SQL.
        // Identifier positions are PGB203's.
        // Readonly configuration fields are pieces only for PGB203's opt-in; this rule trusts them.
        var untrusted = 0;
        foreach (var piece in sql.Pieces)
        {
            if (piece.Source == SqlPieceSource.Configuration)
                continue;
            untrusted++;
            if (piece.Position == SqlHolePosition.Value || (piece.Position == SqlHolePosition.Fragment && piece.Source == SqlPieceSource.Caller))
            {
                var remedy = piece.Position == SqlHolePosition.Value ? PassAsParameter : ValueOrName;
                if (piece.Via is SqlVia via)
                    context.ReportDiagnostic(Diagnostic.Create(AssembledElsewhereDescriptor, piece.Operation.Syntax.GetLocation(), sql.Sink, via.Member, via.From, remedy));
                else
                    Report(context, sql.Sink, piece.Operation, remedy);
                return;
            }
        }

        // PgBorrow's query API: interpolate (each hole becomes a parameter) or pass a constant; a
        // string that is not built here at all is reported (there is no reason to pass one).
        if (sql.ConvertedToPgSql && untrusted == 0)
            Report(context, sql.Sink, sql.Text, "pass a constant, or an interpolated string whose holes become parameters");
    }

    const string PassAsParameter = "pass the value as a parameter ($n) instead";

    /// <summary>
    /// A fragment (a select list, a function's argument) may be a value or a name: a name cannot be a
    /// parameter, so the message offers both remedies.
    /// </summary>
    const string ValueOrName = "pass a value as a parameter ($n); a table or column name cannot be a parameter: check it against an allow-list of constants, or quote it with NpgsqlCommandBuilder.QuoteIdentifier";

    static void Report(OperationAnalysisContext context, string sink, IOperation piece, string remedy)
        => context.ReportDiagnostic(Diagnostic.Create(Descriptor, piece.Syntax.GetLocation(), sink, Operations.Shorten(piece.Syntax.ToString()), remedy));
}
