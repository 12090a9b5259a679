using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Methods;

/// <summary>
/// The shared walk of the rules about a generator's attributed partial methods ([PgTransaction], [PgQuery]):
/// for each method carrying the attribute, runs the generator's own check (linked into this assembly) once per
/// compilation and reports the problems of this rule. The generator implements a method exactly when the
/// check finds no blocking problem, so each Error explains a method left without an implementation.
/// </summary>
/// <remarks>
/// The check is held as an object: the checks are internal types, and the rules deriving from this class are public.
/// The cache is shared by all the rules of all families; a check is keyed by its method, which one attribute marks.
/// </remarks>
public abstract class AttributedMethodRuleAnalyzer : DiagnosticAnalyzer
{
    private protected AttributedMethodRuleAnalyzer()
    {
    }

    /// <summary>The rule's one descriptor.</summary>
    private protected abstract DiagnosticDescriptor Rule { get; }

    /// <summary>The attribute's metadata name (<c>PgBorrow.PgQueryAttribute</c>).</summary>
    private protected abstract string AttributeName { get; }

    /// <summary>Runs the generator's check of one method (one run per method, read by every rule of the family).</summary>
    private protected abstract object RunCheck(MethodDeclarationSyntax declaration, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken);

    /// <summary>The problems of the check this rule reports: where, and the sentence for the message.</summary>
    private protected abstract IEnumerable<(Location Location, string Detail)> ProblemsOf(object check);

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeName) is not INamedTypeSymbol attributeType)
                return;
            var checks = s_checks.GetValue(start.Compilation, static _ => new ConcurrentDictionary<IMethodSymbol, Lazy<object>>(SymbolEqualityComparer.Default));
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, attributeType, checks), SymbolKind.Method);
        });
    }

    /// <summary>
    /// The check of each method, per compilation: the rules of a family read one run of it (the check reads the
    /// whole declaration and the attribute, and it is the same for all of them).
    /// </summary>
    static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<IMethodSymbol, Lazy<object>>> s_checks = new();

    private void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType, ConcurrentDictionary<IMethodSymbol, Lazy<object>> checks)
    {
        var method = (IMethodSymbol)context.Symbol;
        // A partial method is analyzed once, through its defining part.
        if (method.PartialDefinitionPart is not null)
            return;
        var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        if (attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } declaration)
            return;

        var cancellationToken = context.CancellationToken;
        var lazy = checks.GetOrAdd(method, _ => new Lazy<object>(() => RunCheck(declaration, method, attribute, cancellationToken)));
        object check;
        try
        {
            check = lazy.Value;
        }
        catch (OperationCanceledException)
        {
            // Computed for a request that was cancelled (an IDE keystroke): forget it and compute again.
            checks.TryRemove(method, out _);
            cancellationToken.ThrowIfCancellationRequested();
            check = RunCheck(declaration, method, attribute, cancellationToken);
        }
        foreach (var (location, detail) in ProblemsOf(check))
            context.ReportDiagnostic(Diagnostic.Create(Rule, location, method.Name, detail));
    }
}
