using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB203: SQL text puts a caller's string in an identifier position (a table, schema or column
/// name) without quoting it. Identifiers cannot be parameters, so the fix is quoting or an
/// allow-list. Identifiers from configuration (options, settings, fields, constants, method
/// results) are the program's own and are not reported; neither is text that went through a quoting
/// function (<c>NpgsqlCommandBuilder.QuoteIdentifier</c>, or one of this compilation that doubles '"').
/// Information by default: a library method often takes a name its caller already quoted.
/// With <c>dotnet_code_quality.PGB203.configured_names = true</c> it also reports names the program itself
/// configures (an options property, a setting, a member filled at startup) spliced in unquoted: not an injection,
/// but PostgreSQL folds an unquoted name to lower case, and a reserved word or any character outside
/// <c>[a-z0-9_]</c> breaks the statement (a configured table name "Logs", a column named "Key").
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IdentifierFromCallerAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.IdentifierFromCaller,
        title: "SQL identifier from the caller, unquoted",
        messageFormat: "The SQL passed to '{0}' uses '{1}', which the caller supplies, as an identifier without quoting it: quote it (NpgsqlCommandBuilder.QuoteIdentifier, or a function that doubles '\"') or check it against an allow-list; an identifier cannot be a parameter",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A table, schema or column name spliced into SQL is parsed as SQL: a name holding a double quote, a space or a semicolon ends the identifier and the rest runs as SQL. Identifiers cannot be sent as parameters; quote them (doubling any '\"') or compare them with the names you allow.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.IdentifierFromCaller));

    /// <summary>The same rule when the text was assembled in another member: the message says where, and from what.</summary>
    public static readonly DiagnosticDescriptor AssembledElsewhereDescriptor = new(
        id: RuleIdentifiers.IdentifierFromCaller,
        title: "SQL identifier from the caller, unquoted",
        messageFormat: "The SQL passed to '{0}' is built in '{1}' from {2}, used as an identifier without quoting it: quote it (NpgsqlCommandBuilder.QuoteIdentifier, or a function that doubles '\"') or check it against an allow-list; an identifier cannot be a parameter",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: Descriptor.Description.ToString(),
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.IdentifierFromCaller));

    /// <summary>The opt-in report: a name the program configures, not its caller, spliced in unquoted.</summary>
    public static readonly DiagnosticDescriptor ConfiguredNameDescriptor = new(
        id: RuleIdentifiers.IdentifierFromCaller,
        title: "SQL identifier from the caller, unquoted",
        messageFormat: "The SQL passed to '{0}' uses '{1}', a name the program configures, as an identifier without quoting it: PostgreSQL folds it to lower case and a reserved word or a character outside [a-z0-9_] breaks the statement; quote it (NpgsqlCommandBuilder.QuoteIdentifier, or a function that doubles '\"')",
        category: RuleCategories.Sql,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: Descriptor.Description.ToString(),
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.IdentifierFromCaller));

    /// <summary>Turns on <see cref="ConfiguredNameDescriptor"/> for a file.</summary>
    public const string ConfiguredNamesOption = "dotnet_code_quality.PGB203.configured_names";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor, AssembledElsewhereDescriptor, ConfiguredNameDescriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => BuiltSqlFinder.Register(start, Analyze));
    }

    /// <summary>
    /// A member whose name says the text is already quoted or normalised (Dotmim.Sync's <c>TableQuotedFullName</c>,
    /// a parser's <c>NormalizedFullName</c>, <c>QuotedName</c>, <c>DelimitedSchema</c>): the program quoted it where it
    /// configured it.
    /// </summary>
    static bool NamedAsQuoted(string text)
        => text.IndexOf("Quoted", System.StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("Delimited", System.StringComparison.OrdinalIgnoreCase) >= 0
            || text.IndexOf("Escaped", System.StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("Normalized", System.StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// An origin that starts with a quoted expression (<c>'this.tableName'</c>, <c>'options.Schema', configuration</c>)
    /// without those quotes: the message quotes the whole name.
    /// </summary>
    static string Unquoted(string origin)
    {
        var close = origin.Length > 2 && origin[0] == '\'' ? origin.IndexOf('\'', 1) : -1;
        return close > 1 && (close == origin.Length - 1 || origin[close + 1] == ',')
            ? origin.Substring(1, close - 1) + origin.Substring(close + 1)
            : origin;
    }

    static void Analyze(OperationAnalysisContext context, BuiltSql sql)
    {
        foreach (var piece in sql.Pieces)
        {
            if (piece.Position == SqlHolePosition.Identifier && piece.Source == SqlPieceSource.Caller)
            {
                context.ReportDiagnostic(piece.Via is SqlVia via
                    ? Diagnostic.Create(AssembledElsewhereDescriptor, piece.Operation.Syntax.GetLocation(), sql.Sink, via.Member, via.From)
                    : Diagnostic.Create(Descriptor, piece.Operation.Syntax.GetLocation(), sql.Sink, Operations.Shorten(piece.Operation.Syntax.ToString())));
                return;
            }
        }
        if (!bool.TryParse(RuleOptions.Get(context.Options, context.Operation.Syntax.SyntaxTree, ConfiguredNamesOption), out var configured) || !configured)
            return;
        foreach (var piece in sql.Pieces)
        {
            // Between double quotes a configured name keeps its case and may be a reserved word: what this report
            // warns about cannot happen (a '"' inside the name is the caller-supplied case's business).
            if (piece.Position == SqlHolePosition.Identifier && piece.Source is SqlPieceSource.Elsewhere or SqlPieceSource.Configuration && !piece.BetweenDoubleQuotes
                && !NamedAsQuoted(piece.Operation.Syntax.ToString()) && !(piece.Via is SqlVia quoted && NamedAsQuoted(quoted.From)))
            {
                var name = piece.Via is SqlVia via ? $"{Unquoted(via.From)}, assembled in {via.Member}" : Operations.Shorten(piece.Operation.Syntax.ToString());
                context.ReportDiagnostic(Diagnostic.Create(ConfiguredNameDescriptor, piece.Operation.Syntax.GetLocation(), sql.Sink, name));
                return;
            }
        }
    }
}
