using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Transactions;

/// <summary>
/// The shared walk of the PGB321-PGB325 rules: for each method marked [PgTransaction], runs
/// <see cref="PgTransactionMethodCheck"/> (the generator's own decisions, linked into this assembly) and
/// reports the problems of one kind. The generator implements a method exactly when the check finds no
/// problem, so each Error here explains a method left without an implementation.
/// </summary>
public abstract class PgTransactionRuleAnalyzer : DiagnosticAnalyzer
{
    private protected PgTransactionRuleAnalyzer()
    {
    }

    /// <summary>The rule's one descriptor.</summary>
    private protected abstract DiagnosticDescriptor Rule { get; }

    /// <summary>The problems this rule reports.</summary>
    private protected abstract PgTransactionProblemKind Kind { get; }

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(PgTransactionMethodCheck.AttributeName) is not INamedTypeSymbol attributeType)
                return;
            var checks = s_checks.GetValue(start.Compilation, static _ => new ConcurrentDictionary<IMethodSymbol, Lazy<PgTransactionMethodCheck>>(SymbolEqualityComparer.Default));
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, attributeType, checks), SymbolKind.Method);
        });
    }

    /// <summary>
    /// The check of each method, per compilation: the five rules read one run of it (the check reads the
    /// whole body and the attribute, and it is the same for all of them).
    /// </summary>
    static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<IMethodSymbol, Lazy<PgTransactionMethodCheck>>> s_checks = new();

    private void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType, ConcurrentDictionary<IMethodSymbol, Lazy<PgTransactionMethodCheck>> checks)
    {
        var method = (IMethodSymbol)context.Symbol;
        // A partial method is analyzed once, through its defining part.
        if (method.PartialDefinitionPart is not null)
            return;
        var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        if (attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } declaration)
            return;

        var cancellationToken = context.CancellationToken;
        var lazy = checks.GetOrAdd(method, _ => new Lazy<PgTransactionMethodCheck>(() => PgTransactionMethodCheck.Run(declaration, method, attribute, cancellationToken)));
        PgTransactionMethodCheck check;
        try
        {
            check = lazy.Value;
        }
        catch (OperationCanceledException)
        {
            // Computed for a request that was cancelled (an IDE keystroke): forget it and compute again.
            checks.TryRemove(method, out _);
            cancellationToken.ThrowIfCancellationRequested();
            check = PgTransactionMethodCheck.Run(declaration, method, attribute, cancellationToken);
        }
        foreach (var problem in check.Problems)
        {
            if (problem.Kind == Kind)
                context.ReportDiagnostic(Diagnostic.Create(Rule, problem.Location, method.Name, problem.Detail));
        }
    }
}
