using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Offline;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Queries;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB331-PGB333, the build-time checks of a [PgQuery] against what <c>pgborrow prepare</c> recorded in
/// <c>.pgborrow/*.json</c> (given to the compiler as additional files): the statement has a file (PGB331), its
/// result columns fit the [PgRow] type (PGB332) or the scalar (PGB333). Silent when the project has no such file
/// (it does not use offline checks), and on methods the generator does not implement (PGB311-PGB316 say why).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PreparedStatementAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor NotPrepared = new(
        id: RuleIdentifiers.QueryNotPrepared,
        title: "SQL statement is not prepared",
        messageFormat: "'{0}': {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "The project keeps described statements in .pgborrow/, but none is the statement this [PgQuery] sends: it is new or was edited since 'pgborrow prepare' ran, so the build cannot check it against the schema. Run 'pgborrow prepare' and commit the folder.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryNotPrepared));

    public static readonly DiagnosticDescriptor ColumnsDoNotFitRow = new(
        id: RuleIdentifiers.QueryColumnsDoNotFitRow,
        title: "[PgQuery] result columns do not fit the [PgRow] type",
        messageFormat: "'{0}': {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The columns the database described for the statement cannot be read into the [PgRow] type the method returns: a member has no column of its name, a column's type is not read into the member's type, or a column that can be NULL goes into a member that cannot hold null. The read would throw at run time.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryColumnsDoNotFitRow));

    public static readonly DiagnosticDescriptor ScalarDoesNotFit = new(
        id: RuleIdentifiers.QueryScalarDoesNotFit,
        title: "[PgQuery] scalar result does not fit the statement",
        messageFormat: "'{0}': {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A [PgQuery] returning a scalar reads the first column of the result; the database described a statement that returns more than one column, none, or a column whose type is not read into the scalar's type.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryScalarDoesNotFit));

    /// <summary>The .editorconfig option that makes PGB332 also report a column no member of the row type reads (default false).</summary>
    public const string StrictOption = "dotnet_code_quality.PGB332.strict";

    /// <summary>
    /// The MSBuild property (<c>PgBorrowRequirePrepared</c>, made visible to the compiler by the package's build
    /// targets) that raises PGB331 to a warning (<c>true</c> or <c>warning</c>) or an error (<c>error</c>) in a
    /// project, without .editorconfig; a severity set in .editorconfig still wins, as for any rule.
    /// </summary>
    public const string RequirePreparedProperty = "build_property.PgBorrowRequirePrepared";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(NotPrepared, ColumnsDoNotFitRow, ScalarDoesNotFit);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        PreparedQuery.Register(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, PreparedQuery query)
    {
        var method = query.Method;
        var location = query.Location;
        if (query.File.NotPreparedDetail("query") is { } notPrepared)
        {
            ReportNotPrepared(context, location, method, notPrepared);
            return;
        }

        if (query.File.Statement is not { } statement || query.Check.Result is not { } result
            || result.Shape is PgQueryResultShape.None or PgQueryResultShape.AffectedRows || result.Element is null)
        {
            return;
        }
        void ReportFit(DiagnosticDescriptor rule, string detail) => Report(context, rule, location, method, detail);
        if (result.IsRow)
        {
            CheckRow(ReportFit, result.Element, statement, context.Compilation.GetTypeByMetadataName(PgRowShapeCheck.RowInterfaceName) is not null,
                IsStrict(context.Options, location.SourceTree), context.CancellationToken);
        }
        else
            CheckScalar(ReportFit, result.Element, statement);
    }

    /// <summary>PGB332: the result columns against the [PgRow] type's members (also run for the runtime query API's calls).</summary>
    internal static void CheckRow(Action<DiagnosticDescriptor, string> report, ITypeSymbol element, PreparedStatement statement, bool rowInterfaceFound, bool strict, CancellationToken cancellationToken)
    {
        // The row type's mapping, as the [PgRow] generator decides it; a type it cannot map is PGB30x's to report,
        // and a row type from another assembly (or implementing IPgRow<T> by hand) has no declaration to read.
        if (element.OriginalDefinition is not INamedTypeSymbol rowType
            || rowType.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == PgRowShapeCheck.AttributeName) is not { } rowAttribute
            || rowAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } rowDeclaration)
        {
            return;
        }
        var shape = PgRowShapeCheck.Run(rowDeclaration, rowType, rowAttribute, rowInterfaceFound, cancellationToken);
        if (shape.HasErrors)
            return;

        var read = new HashSet<int>();
        foreach (var member in shape.Members)
        {
            var index = FindColumn(statement.Columns, member.Column);
            read.Add(index);
            var column = index < 0 ? null : statement.Columns[index];
            var memberText = $"'{rowType.Name}.{member.Name}' ({member.Type.ToDisplayString(PgRowTypeClassifier.MessageFormat)})";
            if (column is null)
            {
                report(ColumnsDoNotFitRow,
                    $"the statement returns no column '{member.Column}' for {memberText} (its columns are {ColumnList(statement)}); add the column to the select list, or name it with [PgColumn]");
                continue;
            }
            if (PostgresTypeFit.Misfit(column.Type, member.Type, member.Read) is { } misfit)
            {
                report(ColumnsDoNotFitRow,
                    $"the column '{column.Name}' is {column.Type}, which is not read into {memberText}: {misfit}; make the member's type one that reads it, or cast the column in the SQL");
            }
            else if (column.Nullable && !member.IsNullable)
            {
                report(ColumnsDoNotFitRow,
                    $"the column '{column.Name}' ({column.Type}) can be NULL, and {memberText} cannot hold null; make the member nullable, or make the column NOT NULL (or coalesce it)");
            }
        }

        // Strict: every column is read. A column no member reads is work the server does for nothing, or a member
        // that was meant to read it and is missing (a rename on one side only).
        if (!strict)
            return;
        foreach (var column in statement.Columns.Where((_, index) => !read.Contains(index)))
        {
            report(ColumnsDoNotFitRow,
                $"the statement returns the column '{column.Name}' ({column.Type}), which no member of '{rowType.Name}' reads (strict); remove it from the select list, or add a member that reads it");
        }
    }

    /// <summary>Whether <see cref="StrictOption"/> is true for the file.</summary>
    internal static bool IsStrict(AnalyzerOptions options, SyntaxTree? tree)
        => bool.TryParse(RuleOptions.Get(options, tree, StrictOption), out var strict) && strict;

    /// <summary>PGB333: the result columns against a scalar (also run for the runtime query API's calls).</summary>
    internal static void CheckScalar(Action<DiagnosticDescriptor, string> report, ITypeSymbol element, PreparedStatement statement)
    {
        var display = element.ToDisplayString(PgRowTypeClassifier.MessageFormat);
        if (statement.Columns.Count != 1)
        {
            var what = statement.Columns.Count == 0 ? "no column" : $"{statement.Columns.Count} columns ({ColumnList(statement)})";
            report(ScalarDoesNotFit,
                $"it returns the scalar '{display}', read from one column, and the statement returns {what}; make the statement return one column, or return a [PgRow] type");
            return;
        }
        var column = statement.Columns[0];
        if (PgRowTypeClassifier.Classify(element, out _) is { } plan && PostgresTypeFit.Misfit(column.Type, element, plan) is { } misfit)
        {
            report(ScalarDoesNotFit,
                $"the column '{column.Name}' is {column.Type}, which is not read into the scalar '{display}': {misfit}; make the scalar a type that reads it, or cast the column in the SQL");
        }
    }

    /// <summary>The index of the column a member reads (-1 for none): by its exact name, else ignoring case, as the generated reader finds it.</summary>
    private static int FindColumn(IReadOnlyList<PreparedColumn> columns, string name)
    {
        var index = IndexOf(columns, c => c.Name == name);
        return index >= 0 ? index : IndexOf(columns, c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    private static int IndexOf(IReadOnlyList<PreparedColumn> columns, Func<PreparedColumn, bool> match)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (match(columns[i]))
                return i;
        }
        return -1;
    }

    private static string ColumnList(PreparedStatement statement)
        => statement.Columns.Count == 0 ? "none" : string.Join(", ", statement.Columns.Select(c => "'" + c.Name + "'"));

    private static void Report(SymbolAnalysisContext context, DiagnosticDescriptor rule, Location location, IMethodSymbol method, string detail)
        => context.ReportDiagnostic(Diagnostic.Create(rule, location, method.Name, detail));

    /// <summary>PGB331, at the severity the project's <see cref="RequirePreparedProperty"/> asks for (the rule's own when unset).</summary>
    private static void ReportNotPrepared(SymbolAnalysisContext context, Location location, IMethodSymbol method, string detail)
        => context.ReportDiagnostic(Diagnostic.Create(NotPrepared, location, RequiredSeverity(context.Options), additionalLocations: null, properties: null, method.Name, detail));

    /// <summary>PGB331's severity: Info, or what the <c>PgBorrowRequirePrepared</c> build property asks for.</summary>
    internal static DiagnosticSeverity RequiredSeverity(AnalyzerOptions options)
    {
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(RequirePreparedProperty, out var value);
        return value?.Trim().ToLowerInvariant() switch
        {
            "true" or "warning" => DiagnosticSeverity.Warning,
            "error" => DiagnosticSeverity.Error,
            _ => NotPrepared.DefaultSeverity,
        };
    }
}
