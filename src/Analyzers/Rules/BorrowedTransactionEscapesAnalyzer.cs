using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB008: a <c>PgTx</c> (the handle a transaction scope lends its body) outlives the body: stored in a
/// field, property, static or an outer collection, returned, captured by a delegate that runs later
/// (Task.Run not awaited in the body, threads, timers, the thread pool, event handlers, stored delegates),
/// assigned to an outer variable that is read after the scope, or used by a task the body starts and
/// does not await. Rust: a reference that outlives the borrow.
/// </summary>
/// <remarks>
/// Every lambda, local function and method that takes a PgTx is checked: a PgTx is only ever lent (its
/// constructor is internal to the runtime), so wherever one arrives it is borrowed. Passing it to a
/// method is a borrow (that method is checked on its own). Precision first: a PgTx kept in a local,
/// a local collection, a tuple or a delegate that stays in the body is not reported, nor is a wrapper
/// object built around it (constructor or object initializer).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BorrowedTransactionEscapesAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.BorrowedTransactionEscapes,
        title: "Borrowed transaction handle escapes its scope",
        messageFormat: "PgTx '{0}' escapes its transaction scope: {1}; it is lent to the body for one attempt and is unusable once the body returns, so use it only inside the body",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "InTransactionAsync and [PgTransaction] scopes lend their body a PgTx for one attempt: when the body returns the scope commits (or rolls back, or retries with a new transaction), and the PgTx throws ObjectDisposedException from then on. A PgTx kept in a field, returned, or used by code that runs after the body (an un-awaited task, a thread, a timer, an event handler) either fails at run time or, worse, runs SQL outside the transaction the body thought it was in.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.BorrowedTransactionEscapes));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (TransactionScopes.TryCreate(start.Compilation) is not TransactionScopes scopes)
                return;
            start.RegisterOperationBlockAction(block => AnalyzeBlock(block, scopes));
        });
    }

    static void AnalyzeBlock(OperationBlockAnalysisContext context, TransactionScopes scopes)
    {
        var reported = new HashSet<SyntaxNode>();
        foreach (var block in context.OperationBlocks)
        {
            if (context.OwningSymbol is IMethodSymbol owner && scopes.HasPgTxParameter(owner))
                new Walk(context, scopes, block, owner, reported).Run();
            foreach (var operation in block.Descendants())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IAnonymousFunctionOperation lambda when scopes.HasPgTxParameter(lambda.Symbol):
                        new Walk(context, scopes, lambda, lambda.Symbol, reported).Run();
                        break;
                    case ILocalFunctionOperation local when scopes.HasPgTxParameter(local.Symbol):
                        new Walk(context, scopes, local, local.Symbol, reported).Run();
                        break;
                }
            }
        }
    }

    /// <summary>Follows the PgTx parameters of one function (its "home") and the locals that alias them.</summary>
    sealed class Walk
    {
        readonly OperationBlockAnalysisContext _context;
        readonly TransactionScopes _scopes;
        readonly IOperation _home;
        readonly IMethodSymbol _function;
        readonly HashSet<SyntaxNode> _reported;
        readonly List<ISymbol> _handles = new();
        readonly HashSet<IOperation> _checkedCaptures = new();

        public Walk(OperationBlockAnalysisContext context, TransactionScopes scopes, IOperation home, IMethodSymbol function, HashSet<SyntaxNode> reported)
        {
            _context = context;
            _scopes = scopes;
            _home = home;
            _function = function;
            _reported = reported;
        }

        public void Run()
        {
            foreach (var parameter in _function.Parameters)
            {
                if (_scopes.IsPgTx(parameter.Type) && parameter.RefKind == RefKind.None)
                    _handles.Add(parameter);
            }

            // Aliases found while walking are appended and walked too (bounded: one per declaration).
            for (var i = 0; i < _handles.Count && i < 32; i++)
            {
                var handle = _handles[i];
                foreach (var operation in _home.Descendants())
                {
                    var isReference = operation switch
                    {
                        IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, handle),
                        ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, handle),
                        _ => false,
                    };
                    if (!isReference)
                        continue;
                    if (NestedFunction(operation) is IOperation nested)
                        CheckCapture(nested, operation, handle);
                    else
                        CheckUse(operation, handle);
                }
            }
        }

        /// <summary>The function directly inside the home that contains the reference, if any.</summary>
        IOperation? NestedFunction(IOperation reference)
        {
            IOperation? outermost = null;
            for (var current = reference.Parent; current is not null && current != _home; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    outermost = current;
            }
            return outermost;
        }

        void CheckUse(IOperation reference, ISymbol handle)
        {
            var value = SkipConversions(reference);
            switch (value.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Value == value:
                    CheckStore(reference, handle, assignment.Target);
                    break;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    AddAlias(declarator.Symbol);
                    break;
                case IReturnOperation:
                    Report(reference, handle, "it is returned");
                    break;
                case ITupleOperation or IAnonymousObjectCreationOperation when ReachesReturn(value.Parent):
                    Report(reference, handle, "it is returned inside a tuple or object");
                    break;
                case IArgumentOperation { Parent: IInvocationOperation invocation } when IsCollectionAdd(invocation):
                    if (IsOutside(invocation.Instance))
                        Report(reference, handle, $"it is stored in the collection '{invocation.Instance!.Syntax}', which outlives the body");
                    break;
                case IArgumentOperation { Parent: IInvocationOperation invocation }:
                    CheckTask(invocation, handle);
                    break;
                case IInvocationOperation invocation when invocation.Instance == value:
                    CheckTask(invocation, handle);
                    break;
            }
        }

        void CheckStore(IOperation reference, ISymbol handle, IOperation target)
        {
            switch (target)
            {
                case IFieldReferenceOperation field when !IsWrapperInitialization(field.Instance):
                    Report(reference, handle, $"it is stored in the field '{field.Field.Name}'");
                    break;
                case IPropertyReferenceOperation property when !IsWrapperInitialization(property.Instance):
                    Report(reference, handle, $"it is stored in the property '{property.Property.Name}'");
                    break;
                case ILocalReferenceOperation local when IsDeclaredInHome(local.Local):
                    AddAlias(local.Local);
                    break;
                case ILocalReferenceOperation local when IsReadAfterHome(local.Local):
                    Report(reference, handle, $"it is assigned to '{local.Local.Name}', declared outside the body and read after it");
                    break;
                case IParameterReferenceOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } parameter:
                    Report(reference, handle, $"it is passed out through the parameter '{parameter.Parameter.Name}'");
                    break;
                case IParameterReferenceOperation parameter when !IsDeclaredInHome(parameter.Parameter) && IsReadAfterHome(parameter.Parameter):
                    Report(reference, handle, $"it is assigned to '{parameter.Parameter.Name}', declared outside the body and read after it");
                    break;
                case IArrayElementReferenceOperation element when IsOutside(element.ArrayReference):
                    Report(reference, handle, $"it is stored in the array '{element.ArrayReference.Syntax}', which outlives the body");
                    break;
            }
        }

        /// <summary>A constructor storing its PgTx in its own object, or an object initializer: a wrapper around the borrow.</summary>
        bool IsWrapperInitialization(IOperation? instance)
            => instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }
            || instance is IInstanceReferenceOperation && _home is not IAnonymousFunctionOperation && _home is not ILocalFunctionOperation
                && _function.MethodKind == MethodKind.Constructor;

        /// <summary>A call that takes the PgTx and returns a task: the body must await it before it returns.</summary>
        void CheckTask(IInvocationOperation invocation, ISymbol handle)
        {
            if (!IsAwaitable(invocation.Type))
                return;
            if (TaskEscapes(invocation) is string how)
                Report(invocation, handle, $"the task of '{invocation.TargetMethod.Name}' uses it and {how}, so it can still run after the scope commits");
        }

        /// <summary>How a task started in the body gets away from it (<see cref="Infrastructure.DelegateEscapes.HowTaskOutlives"/>).</summary>
        string? TaskEscapes(IOperation task) => Infrastructure.DelegateEscapes.HowTaskOutlives(task, _home, _function);

        /// <summary>A nested lambda or local function uses the handle: fine unless that function outlives the body.</summary>
        void CheckCapture(IOperation nested, IOperation reference, ISymbol handle)
        {
            if (!_checkedCaptures.Add(nested))
                return;
            if (nested is IAnonymousFunctionOperation)
            {
                if (DelegateEscapes(nested) is string how)
                    Report(reference, handle, $"a lambda that uses it {how}");
                return;
            }

            var local = ((ILocalFunctionOperation)nested).Symbol;
            foreach (var operation in _home.Descendants())
            {
                if (operation is IMethodReferenceOperation method && SymbolEqualityComparer.Default.Equals(method.Method.OriginalDefinition, local)
                    && DelegateEscapes(method) is string how)
                {
                    Report(reference, handle, $"the local function '{local.Name}' uses it and {how}");
                    return;
                }
            }
        }

        /// <summary>How a lambda or local function made in the body outlives it (<see cref="Infrastructure.DelegateEscapes.HowItOutlives"/>).</summary>
        string? DelegateEscapes(IOperation function) => Infrastructure.DelegateEscapes.HowItOutlives(function, _home, _function);

        static bool IsCollectionAdd(IInvocationOperation invocation) => Infrastructure.DelegateEscapes.IsCollectionAdd(invocation);

        bool IsOutside(IOperation? value) => Infrastructure.DelegateEscapes.IsOutside(value, _home, _function);

        bool IsDeclaredInHome(ISymbol symbol) => Infrastructure.DelegateEscapes.IsDeclaredIn(symbol, _home, _function);

        /// <summary>Whether a variable declared outside the home is read, in the same member, after the home's text ends.</summary>
        bool IsReadAfterHome(ISymbol variable)
        {
            if (_home is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                return false;
            var root = _home;
            while (root.Parent is not null)
                root = root.Parent;
            var end = _home.Syntax.Span.End;
            foreach (var operation in root.Descendants())
            {
                var matches = operation switch
                {
                    ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, variable),
                    IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, variable),
                    _ => false,
                };
                if (matches && operation.Syntax.SpanStart >= end
                    && !(operation.Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation))
                    return true;
            }
            return false;
        }

        void AddAlias(ILocalSymbol local)
        {
            if (_scopes.IsPgTx(local.Type) && !_handles.Contains(local, SymbolEqualityComparer.Default))
                _handles.Add(local);
        }

        static bool ReachesReturn(IOperation? operation)
        {
            while (operation is ITupleOperation or IAnonymousObjectCreationOperation or IConversionOperation or IPropertyInitializerOperation or ISimpleAssignmentOperation or IObjectOrCollectionInitializerOperation)
                operation = operation.Parent;
            return operation is IReturnOperation;
        }

        void Report(IOperation at, ISymbol handle, string how)
        {
            if (_reported.Add(at.Syntax))
                _context.ReportDiagnostic(Diagnostic.Create(Descriptor, at.Syntax.GetLocation(), handle.Name, how));
        }
    }

    static IOperation SkipConversions(IOperation operation)
    {
        while (operation.Parent is IConversionOperation conversion && conversion.Operand == operation)
            operation = conversion;
        return operation;
    }

    static bool IsAwaitable(ITypeSymbol? type) => Infrastructure.DelegateEscapes.IsAwaitable(type);
}
