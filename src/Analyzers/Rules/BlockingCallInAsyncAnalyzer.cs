using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB005: a synchronous Npgsql call that does I/O (or a sync <c>using</c> of a transaction,
/// connection or reader, whose Dispose can do I/O) inside an async method or lambda, where an async
/// overload exists.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallInAsyncAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the name of the async overload to call.</summary>
    public const string AsyncNameProperty = "AsyncName";

    static readonly ImmutableHashSet<string> s_blockingNames = ImmutableHashSet.Create(
        "Open", "OpenConnection", "BeginTransaction", "Commit", "Rollback", "Save", "Release",
        "ExecuteNonQuery", "ExecuteScalar", "ExecuteReader", "Read", "NextResult", "Prepare");

    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.BlockingCallInAsync,
        title: "Blocking Npgsql call in async code",
        messageFormat: "{0} blocks a thread in async code: {1}",
        category: RuleCategories.Async,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A synchronous call that waits for PostgreSQL blocks a thread-pool thread for a whole network round trip. Under load this starves the pool. Call the async overload and await it, passing the CancellationToken in scope.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.BlockingCallInAsync));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation) is not NpgsqlSymbols symbols)
                return;
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeUsing(c, symbols), OperationKind.Using, OperationKind.UsingDeclaration);
        });
    }

    static void AnalyzeInvocation(OperationAnalysisContext context, NpgsqlSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!s_blockingNames.Contains(method.Name) || invocation.Instance?.Type is not ITypeSymbol receiverType)
            return;
        if (!symbols.IsInteresting(receiverType))
            return;
        if (!IsInAsyncCode(invocation, context.ContainingSymbol))
            return;
        var asyncName = method.Name + "Async";
        if (!HasAsyncOverload(receiverType, asyncName))
            return;

        var properties = ImmutableDictionary<string, string?>.Empty.Add(AsyncNameProperty, asyncName);
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(), properties,
            $"'{method.Name}'", $"call '{asyncName}' and await it"));
    }

    static void AnalyzeUsing(OperationAnalysisContext context, NpgsqlSymbols symbols)
    {
        var (isAsync, resources, keyword) = context.Operation switch
        {
            IUsingOperation usingStatement => (usingStatement.IsAsynchronous, usingStatement.Resources, (usingStatement.Syntax as UsingStatementSyntax)?.UsingKeyword),
            IUsingDeclarationOperation declaration => (declaration.IsAsynchronous, (IOperation)declaration.DeclarationGroup, (declaration.Syntax as LocalDeclarationStatementSyntax)?.UsingKeyword),
            _ => (true, null, null),
        };
        if (isAsync || resources is null || keyword is not SyntaxToken usingKeyword)
            return;
        if (!IsInAsyncCode(context.Operation, context.ContainingSymbol))
            return;

        var name = DisposedValueName(resources, symbols);
        if (name is null)
            return;
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, usingKeyword.GetLocation(),
            $"Disposing '{name}' at the end of this 'using'", "its Dispose can wait for PostgreSQL; use 'await using'"));
    }

    /// <summary>The name of the transaction, connection or reader a using disposes, if it disposes one.</summary>
    static string? DisposedValueName(IOperation resources, NpgsqlSymbols symbols)
    {
        foreach (var operation in resources.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when symbols.KindOfVariableType(declarator.Symbol.Type) is not null:
                    return declarator.Symbol.Name;
                case ILocalReferenceOperation local when (operation == resources || operation.Parent == resources) && symbols.KindOfVariableType(local.Type) is not null:
                    return local.Local.Name;
            }
        }
        return null;
    }

    static bool IsInAsyncCode(IOperation operation, ISymbol containingSymbol)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol.IsAsync;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol.IsAsync;
            }
        }
        return containingSymbol is IMethodSymbol { IsAsync: true };
    }

    static bool HasAsyncOverload(ITypeSymbol type, string asyncName)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(asyncName))
            {
                if (member is IMethodSymbol { DeclaredAccessibility: Accessibility.Public })
                    return true;
            }
        }
        return false;
    }
}
