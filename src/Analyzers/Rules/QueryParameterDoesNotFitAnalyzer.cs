using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Offline;
using PgBorrow.Analyzers.Sql;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB334: a [PgQuery] parameter, or a hole of a runtime query's interpolated SQL (<see cref="CheckHoles"/>, run by
/// <see cref="SentStatementPreparedAnalyzer"/>), whose C# type is sent as a PostgreSQL type the statement cannot take
/// where its placeholder stands, by the parameter types <c>pgborrow prepare</c> recorded in <c>.pgborrow/*.json</c>. A
/// placeholder written with a cast (<c>@id::uuid</c>, <c>CAST(@id AS uuid)</c>, <c>{id}::uuid</c>) is not checked:
/// the description gives the cast's type, and the value reaches it by the cast.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryParameterDoesNotFitAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryParameterDoesNotFit,
        title: "Query parameter type does not fit the statement",
        messageFormat: "'{0}': {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The database described the statement's placeholder as a PostgreSQL type that the [PgQuery] method's parameter, or the runtime query's interpolation hole, is not sent as, and that PostgreSQL does not convert it to (by an implicit or assignment cast): the statement fails when it runs, with 'column is of type ... but expression is of type ...' or 'operator does not exist'.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryParameterDoesNotFit));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        PreparedQuery.Register(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, PreparedQuery query)
    {
        if (query.File.Statement is not { } statement || query.Check.Sql is not { } sql || query.Check.SqlText is not { } text)
            return;
        var cast = CastPlaceholders(sql, SqlTokenKind.NamedParameter);
        var method = query.Method;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var (role, position) = query.Check.Roles[i];
            // A found file has one type per placeholder (PGB331 reports one that does not); the bound keeps an index in range regardless.
            if (role != PgQueryParameterRole.Value || position > statement.Parameters.Count)
                continue;
            var placeholder = text.Names[position - 1];
            if (cast.Contains(placeholder))
                continue;
            var parameter = method.Parameters[i];
            var pgType = statement.Parameters[position - 1];
            if (PgRowTypeClassifier.Classify(parameter.Type, out _) is not { } plan || PostgresTypeFit.WriteMisfit(pgType, parameter.Type, plan) is not { } misfit)
                continue;
            var display = parameter.Type.ToDisplayString(PgRowTypeClassifier.MessageFormat);
            var location = parameter.Locations.FirstOrDefault() ?? query.Location;
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, location, method.Name,
                $"the parameter '{parameter.Name}' ({display}) fills @{placeholder} (${position}), which the statement needs as {pgType}: {misfit}; {Remedy(parameter.Type, "@" + placeholder, pgType)}"));
        }
    }

    /// <summary>
    /// PGB334 for the holes of a runtime query (<c>QueryAsync&lt;T&gt;($"... {x} ...")</c>) whose statement has its
    /// file: hole n is <c>$n</c>, sent with the type Npgsql gives the hole's C# type (the handler's type argument).
    /// A hole with a format (<c>{doc:jsonb}</c>) is sent as the type the format names, so it is not checked.
    /// </summary>
    internal static void CheckHoles(Action<Diagnostic> report, SentStatement sent, PreparedStatement statement)
    {
        if (sent.CommandText is not { } commandText)
            return;
        var cast = CastPlaceholders(commandText, SqlTokenKind.PositionalParameter);
        for (var i = 0; i < sent.Holes.Count && i < statement.Parameters.Count; i++)
        {
            var hole = sent.Holes[i];
            var position = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (cast.Contains(position) || hole.TargetMethod.TypeArguments.Length != 1 || hole.TargetMethod.TypeArguments[0] is IErrorTypeSymbol || hole.Arguments.Length == 0
                || hole.Arguments.Length > 1 && hole.Arguments[1].Value.ConstantValue.Value is string { Length: > 0 })
            {
                continue;
            }
            var type = hole.TargetMethod.TypeArguments[0];
            var pgType = statement.Parameters[i];
            if (PgRowTypeClassifier.Classify(type, out _) is not { } plan || PostgresTypeFit.WriteMisfit(pgType, type, plan) is not { } misfit)
                continue;
            var expression = hole.Arguments[0].Value.Syntax.ToString();
            var display = type.ToDisplayString(PgRowTypeClassifier.MessageFormat);
            report(Diagnostic.Create(Descriptor, hole.Arguments[0].Value.Syntax.GetLocation(), sent.Sink,
                $"the hole {{{expression}}} ({display}) fills ${position}, which the statement needs as {pgType}: {misfit}; {Remedy(type, "{" + expression + "}", pgType)}"));
        }
    }

    /// <summary>The C# types sent as the needed type; for a string (or when none is), a cast in the SQL, which PostgreSQL applies to a string's text.</summary>
    private static string Remedy(ITypeSymbol type, string placeholder, string pgType)
    {
        var isString = type.SpecialType == SpecialType.System_String;
        var castAdvice = $"write a cast on the placeholder in the SQL ({placeholder}::{pgType}), which converts a string by its text form";
        var fitting = PostgresTypeFit.WrittenAs(pgType);
        if (fitting.Count == 0)
            return isString ? castAdvice : "pass a string and " + castAdvice;
        return $"pass {string.Join(" or ", fitting)} instead" + (isString ? ", or " + castAdvice : "");
    }

    /// <summary>
    /// The placeholders (of <paramref name="kind"/>: <c>@name</c> or <c>$n</c>) written with a cast somewhere in the
    /// SQL: followed by <c>::</c>, or by <c>AS</c> (inside <c>CAST(... AS type)</c>; a select-list alias is skipped
    /// too, which only ever leaves a placeholder unchecked).
    /// </summary>
    private static HashSet<string> CastPlaceholders(string sql, SqlTokenKind kind)
    {
        var cast = new HashSet<string>(StringComparer.Ordinal);
        var tokens = SqlLexer.Lex(sql);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].Kind != kind)
                continue;
            var next = tokens[i + 1];
            if (next.Kind == SqlTokenKind.Cast || next.Kind == SqlTokenKind.Word && string.Equals(next.Value, "AS", StringComparison.OrdinalIgnoreCase))
                cast.Add(tokens[i].Value);
        }
        return cast;
    }
}
