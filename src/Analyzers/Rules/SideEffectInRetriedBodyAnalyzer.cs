using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB108: the body of a transaction that is retried on 40001/40P01 does something outside the
/// database: an HTTP call, a message, a file or stream write, an e-mail, or a change to state declared
/// outside the body that adds up (<c>counter++</c>, <c>total += x</c>, <c>list.Add(x)</c>). A retry runs
/// the whole body again, so the outside world sees it twice.
/// </summary>
/// <remarks>
/// Retried bodies: the body of <c>InTransactionAsync</c> (a lambda, an anonymous method, a local
/// function, or a method of the same file passed as a method group), a <c>[PgTransaction]</c> body, and
/// the <c>try</c> block of a hand-written retry loop (a loop whose <c>catch</c> handles 40001/40P01 and
/// whose <c>try</c> begins and commits a transaction), up to its last Commit. Called methods are not
/// followed. Plain assignments to outer variables are not reported: the last attempt's value wins, which
/// is what the code means.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SideEffectInRetriedBodyAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SideEffectInRetriedBody,
        title: "Side effect inside a retried transaction body",
        messageFormat: "'{0}' runs inside a transaction body that is retried on serialization failures and deadlocks: {1}, and a retry does it again; move it after the scope returns, or record it in an outbox table in the same transaction",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "PostgreSQL aborts SERIALIZABLE and REPEATABLE READ transactions that conflict (SQLSTATE 40001) and breaks deadlocks (40P01), and the scope then re-runs the whole body in a new transaction. The database work of the failed attempt is rolled back; an HTTP call, a message sent, a file written or a counter incremented is not, and happens again on the next attempt. Do it after the scope has committed, or write it to an outbox table that a separate process sends from.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SideEffectInRetriedBody));

    /// <summary>Extra side-effect methods: "Namespace.Type.Method", "Type.Method", "Namespace.Type.*" or "Type.*".</summary>
    public const string SideEffectMethodsOption = "dotnet_code_quality.PGB108.side_effect_methods";

    /// <summary>Methods that are never side effects (idempotent calls, an outbox writer), in the same form.</summary>
    public const string AllowedMethodsOption = "dotnet_code_quality.PGB108.allowed_methods";

    static readonly ImmutableHashSet<string> s_collectionAdds = ImmutableHashSet.Create(
        "Add", "AddRange", "Insert", "InsertRange", "Enqueue", "Push", "TryAdd", "AddOrUpdate", "AddLast", "AddFirst",
        "Append", "AppendLine", "AppendFormat", "AppendJoin");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (TransactionScopes.TryCreate(start.Compilation) is not TransactionScopes scopes)
                return;
            var apis = new SideEffectApis(start.Compilation);

            start.RegisterOperationAction(operation =>
            {
                var invocation = (IInvocationOperation)operation.Operation;
                if (!scopes.IsScope(invocation))
                    return;
                if (TransactionScopes.BodyOperation(invocation, operation.CancellationToken) is IOperation body)
                    new Scan(apis, operation.Options, operation.ReportDiagnostic, body.Syntax.SyntaxTree).Run(body, body.Syntax.Span, limit: int.MaxValue);
            }, OperationKind.Invocation);

            start.RegisterOperationAction(operation =>
            {
                var loop = (ILoopOperation)operation.Operation;
                foreach (var (region, limit) in RetriedRegions(loop))
                    new Scan(apis, operation.Options, operation.ReportDiagnostic, region.Syntax.SyntaxTree).Run(region, region.Syntax.Span, limit);
            }, OperationKind.Loop);

            if (scopes.TransactionAttribute is not null)
            {
                start.RegisterOperationBlockAction(block =>
                {
                    if (block.OwningSymbol is not IMethodSymbol owner)
                        return;
                    var tree = owner.Locations.Length > 0 ? owner.Locations[0].SourceTree : null;
                    var scan = new Scan(apis, block.Options, block.ReportDiagnostic, tree);
                    foreach (var operation in block.OperationBlocks)
                    {
                        if (scopes.IsGeneratedScopeBody(owner))
                        {
                            scan.Run(operation, MemberSpan(operation.Syntax), int.MaxValue);
                            continue;
                        }
                        foreach (var descendant in operation.Descendants())
                        {
                            if (descendant is ILocalFunctionOperation local && scopes.IsGeneratedScopeBody(local.Symbol))
                                scan.Run(local, local.Syntax.Span, int.MaxValue);
                        }
                    }
                });
            }
        });
    }

    static TextSpan MemberSpan(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            if (ancestor is MemberDeclarationSyntax)
                return ancestor.Span;
        }
        return node.Span;
    }

    /// <summary>
    /// The try blocks of a hand-written retry loop: directly in this loop, with a catch that handles
    /// 40001/40P01, beginning and committing a transaction. The limit is the start of the last Commit:
    /// what comes after it ran in a committed transaction and is not retried.
    /// </summary>
    static IEnumerable<(IOperation Region, int Limit)> RetriedRegions(ILoopOperation loop)
    {
        foreach (var operation in loop.Body.Descendants())
        {
            if (operation is not ITryOperation attempt || NearestLoopOrFunction(attempt) != loop || !CatchesRetryableFailures(attempt))
                continue;
            var begins = false;
            var lastCommit = -1;
            foreach (var inner in attempt.Body.Descendants())
            {
                if (inner is not IInvocationOperation { TargetMethod: var method } call || method.ContainingType is not INamedTypeSymbol type || !SideEffectApis.IsDatabase(type))
                    continue;
                if (method.Name is "BeginTransaction" or "BeginTransactionAsync")
                    begins = true;
                else if (method.Name is "Commit" or "CommitAsync")
                    lastCommit = Math.Max(lastCommit, call.Syntax.SpanStart);
            }
            if (begins && lastCommit >= 0)
                yield return (attempt.Body, lastCommit);
        }
    }

    static IOperation? NearestLoopOrFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
                return current;
        }
        return null;
    }

    static bool CatchesRetryableFailures(ITryOperation attempt)
    {
        foreach (var clause in attempt.Catches)
        {
            if (clause.Syntax is CatchClauseSyntax syntax && RetryCatch.HandlesSerializationFailures(syntax))
                return true;
        }
        return false;
    }

    /// <summary>Looks for side effects in one retried body.</summary>
    sealed class Scan
    {
        readonly SideEffectApis _apis;
        readonly Action<Diagnostic> _report;
        readonly IReadOnlyList<string> _configured;
        readonly IReadOnlyList<string> _allowed;
        TextSpan _body;

        public Scan(SideEffectApis apis, AnalyzerOptions options, Action<Diagnostic> report, SyntaxTree? tree)
        {
            _apis = apis;
            _report = report;
            _configured = MemberList.Parse(RuleOptions.Get(options, tree, SideEffectMethodsOption));
            _allowed = MemberList.Parse(RuleOptions.Get(options, tree, AllowedMethodsOption));
        }

        public void Run(IOperation root, TextSpan body, int limit)
        {
            _body = body;
            foreach (var operation in root.DescendantsAndSelf())
            {
                if (operation.Syntax.SpanStart >= limit)
                    continue;
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        CheckInvocation(invocation);
                        break;
                    case IIncrementOrDecrementOperation change when IsOutside(change.Target):
                        Report(operation, operation.Syntax.ToString(), $"it changes '{Name(change.Target)}', declared outside the body");
                        break;
                    case ICompoundAssignmentOperation change when IsOutside(change.Target):
                        Report(operation, operation.Syntax.ToString(), $"it changes '{Name(change.Target)}', declared outside the body");
                        break;
                }
            }
        }

        void CheckInvocation(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            var display = (method.ContainingType?.Name is string type ? type + "." : "") + method.Name;
            if (_apis.Describe(invocation, _configured, _allowed) is string what)
            {
                Report(invocation, display, what);
                return;
            }
            if (method.ContainingType is not INamedTypeSymbol container || SideEffectApis.IsDatabase(container)
                || (_allowed.Count > 0 && MemberList.Matches(MemberList.NameOf(method.OriginalDefinition), _allowed)))
                return;

            if (invocation.Instance is IOperation receiver && s_collectionAdds.Contains(method.Name) && !IsImmutable(container) && IsOutside(receiver))
            {
                Report(invocation, Name(receiver) + "." + method.Name, $"it adds to '{Name(receiver)}', declared outside the body");
                return;
            }

            // Interlocked.Increment(ref counter) is counter++ made thread-safe: still counted once per attempt.
            if (container.ToDisplayString() == "System.Threading.Interlocked" && method.Name is "Increment" or "Decrement" or "Add"
                && invocation.Arguments.Length > 0 && IsOutside(invocation.Arguments[0].Value))
                Report(invocation, display, $"it changes '{Name(invocation.Arguments[0].Value)}', declared outside the body");
        }

        static bool IsImmutable(INamedTypeSymbol type)
            => type.ContainingNamespace?.ToDisplayString() == "System.Collections.Immutable";

        /// <summary>A variable declared outside the body, a field or property of one, a static, or state of <c>this</c>.</summary>
        bool IsOutside(IOperation? target)
        {
            while (target is IConversionOperation conversion)
                target = conversion.Operand;
            return target switch
            {
                ILocalReferenceOperation local => IsDeclaredOutside(local.Local),
                IParameterReferenceOperation parameter => IsDeclaredOutside(parameter.Parameter),
                IFieldReferenceOperation field => field.Field.IsStatic || IsOutsideInstance(field.Instance),
                IPropertyReferenceOperation property => property.Property.IsStatic || IsOutsideInstance(property.Instance),
                IArrayElementReferenceOperation element => IsOutside(element.ArrayReference),
                _ => false,
            };
        }

        bool IsOutsideInstance(IOperation? instance)
            => instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } || IsOutside(instance);

        bool IsDeclaredOutside(ISymbol symbol)
        {
            var references = symbol.DeclaringSyntaxReferences;
            if (references.Length == 0)
                return false;
            foreach (var reference in references)
            {
                if (_body.Contains(reference.Span))
                    return false;
            }
            return true;
        }

        static string Name(IOperation target)
        {
            while (target is IConversionOperation conversion)
                target = conversion.Operand;
            return target.Syntax.ToString();
        }

        void Report(IOperation at, string what, string how)
            => _report(Diagnostic.Create(Descriptor, at.Syntax.GetLocation(), what, how));
    }
}
