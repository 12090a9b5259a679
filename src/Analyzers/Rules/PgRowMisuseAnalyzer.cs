using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB301-PGB309: why the [PgRow] generator emits no mapping for a type (Errors), and attribute uses
/// that have no effect (Warnings). The generator stays silent on bad input, as generators should
/// (diagnostics from a generator's pipeline defeat its cache), which leaves the user with a puzzling
/// "does not implement IPgRow&lt;T&gt;" at the query call; these rules say what to change instead.
/// </summary>
/// <remarks>
/// The decisions are the generator's own <see cref="PgRowShapeCheck"/>, linked into this assembly: the
/// generator emits no mapping exactly when the check finds a problem that stops it, and each problem
/// here is one diagnostic (PgRowConsistencyTests guards the wiring on one corpus).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PgRowMisuseAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: RuleIdentifiers.RowTypeNotPartial,
        title: "Row type must be partial",
        messageFormat: "'{0}' must be declared partial: {1}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The [PgRow] generator implements the row interface in a second part of the type, so the type and every type it is nested in must be partial. Without that, no mapping is generated and queries of the type fail to compile.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowTypeNotPartial));

    public static readonly DiagnosticDescriptor MemberTypeNotSupported = new(
        id: RuleIdentifiers.RowMemberTypeNotSupported,
        title: "Row member type is not supported",
        messageFormat: "'{0}' has type '{1}', which a [PgRow] type cannot read from a column: {2}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each mapped member is read with a typed NpgsqlDataReader call. A member whose type has no such read stops the generator from mapping the whole type.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowMemberTypeNotSupported));

    public static readonly DiagnosticDescriptor NoUsableConstructor = new(
        id: RuleIdentifiers.RowHasNoUsableConstructor,
        title: "Row type has no constructor the generator can use",
        messageFormat: "The generated code cannot create '{0}': {1}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated code creates a row with the primary constructor, else the parameterless constructor (public or internal) and an object initializer, else the only constructor. When none of these applies, no mapping is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowHasNoUsableConstructor));

    public static readonly DiagnosticDescriptor ColumnReadTwice = new(
        id: RuleIdentifiers.RowColumnReadTwice,
        title: "Two row members read the same column",
        messageFormat: "'{0}' and '{1}' both read the column '{2}' (column names are compared ignoring case): give one of them another column with [PgColumn(\"...\")]",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A row reads each column into one member. Two members whose column names differ only in case (or not at all) would read the same value, which is almost always a mistake, so no mapping is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowColumnReadTwice));

    public static readonly DiagnosticDescriptor MemberCannotBeIgnored = new(
        id: RuleIdentifiers.RowMemberCannotBeIgnored,
        title: "[PgIgnore] on a member that must be set",
        messageFormat: "[PgIgnore] cannot leave out '{0}': {1}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A constructor parameter (including a positional record parameter) must be given a value, and a required member must be set in the object initializer, so the generated code cannot skip them. No mapping is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowMemberCannotBeIgnored));

    public static readonly DiagnosticDescriptor ColumnOnIgnoredMember = new(
        id: RuleIdentifiers.RowColumnOnIgnoredMember,
        title: "[PgColumn] on an ignored member has no effect",
        messageFormat: "[PgColumn] on '{0}' has no effect: the member is left out with [PgIgnore]; remove one of the two attributes",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A member marked [PgIgnore] reads no column, so its [PgColumn] name is never used. One of the two attributes is a leftover, and the reader may believe the column is mapped.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowColumnOnIgnoredMember));

    public static readonly DiagnosticDescriptor TypeCannotBeGenerated = new(
        id: RuleIdentifiers.RowTypeCannotBeGenerated,
        title: "The generator cannot implement the row interface for this type",
        messageFormat: "No mapping can be generated for '{0}': {1}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The row interface has static abstract members (C# 11) and the generated code creates instances of the row type in another file. Generic, abstract, static, ref struct and file-local types, interfaces, and projects below C# 11 cannot take that implementation.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowTypeCannotBeGenerated));

    public static readonly DiagnosticDescriptor ColumnNameEmpty = new(
        id: RuleIdentifiers.RowColumnNameEmpty,
        title: "[PgColumn] gives no column name",
        messageFormat: "[PgColumn] on '{0}' gives no column name: write the column's name, or remove the attribute to read the column '{1}'",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "PostgreSQL has no column with an empty name, so a member mapped to one could never be read. No mapping is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowColumnNameEmpty));

    public static readonly DiagnosticDescriptor RequiredMemberNotSet = new(
        id: RuleIdentifiers.RowRequiredMemberNotSet,
        title: "Required member the generated code cannot set",
        messageFormat: "Required member '{0}' cannot be set by the generated code: {1}",
        category: RuleCategories.Rows,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated code sets the row type's own settable properties in an object initializer. A required field, a required member of a base type, or a required property it does not set would make that code fail to compile, so no mapping is generated, unless the constructor it calls is marked [SetsRequiredMembers].",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.RowRequiredMemberNotSet));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(
        TypeNotPartial,
        MemberTypeNotSupported,
        NoUsableConstructor,
        ColumnReadTwice,
        MemberCannotBeIgnored,
        ColumnOnIgnoredMember,
        TypeCannotBeGenerated,
        ColumnNameEmpty,
        RequiredMemberNotSet);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(PgRowShapeCheck.AttributeName) is not INamedTypeSymbol rowAttribute)
                return;
            var rowInterfaceFound = start.Compilation.GetTypeByMetadataName(PgRowShapeCheck.RowInterfaceName) is not null;
            start.RegisterSymbolAction(
                symbolContext => Analyze(symbolContext, rowAttribute, rowInterfaceFound),
                SymbolKind.NamedType);
        });
    }

    static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol rowAttribute, bool rowInterfaceFound)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, rowAttribute));
        if (attribute is null)
            return;
        // The generator looks at the declaration that carries [PgRow]; so does the check.
        if (attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
            return;

        var check = PgRowShapeCheck.Run(declaration, type, attribute, rowInterfaceFound, context.CancellationToken);
        foreach (var problem in check.Problems)
        {
            if (Descriptor(problem.Kind) is { } descriptor)
                context.ReportDiagnostic(Diagnostic.Create(descriptor, problem.Location, problem.Arguments));
        }
    }

    /// <summary>The rule for a problem; null for one the compiler already reports.</summary>
    static DiagnosticDescriptor? Descriptor(PgRowProblemKind kind) => kind switch
    {
        PgRowProblemKind.TypeNotPartial => TypeNotPartial,
        PgRowProblemKind.MemberTypeNotSupported => MemberTypeNotSupported,
        PgRowProblemKind.NoUsableConstructor => NoUsableConstructor,
        PgRowProblemKind.ColumnReadTwice => ColumnReadTwice,
        PgRowProblemKind.MemberCannotBeIgnored => MemberCannotBeIgnored,
        PgRowProblemKind.ColumnOnIgnoredMember => ColumnOnIgnoredMember,
        PgRowProblemKind.TypeCannotBeGenerated => TypeCannotBeGenerated,
        PgRowProblemKind.ColumnNameEmpty => ColumnNameEmpty,
        PgRowProblemKind.RequiredMemberNotSet => RequiredMemberNotSet,
        _ => null,
    };
}
