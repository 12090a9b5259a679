using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB010: a field or auto-property that the type fills with a connection, transaction, reader or COPY operation
/// it creates itself (<c>_connection = new NpgsqlConnection(...)</c>, <c>_tx = _connection.BeginTransaction()</c>)
/// and that nothing in the type ever disposes, closes or hands on. Rust: a struct that owns a field drops it.
/// </summary>
/// <remarks>
/// Precision first, as the first step of part 3: a member that is ever assigned something the type did not create
/// (a constructor parameter: borrowed, or a mix decided by an ownership flag) is not judged, and any Dispose,
/// DisposeAsync, Close, CloseAsync of the member anywhere in the type (or passing it to a method, returning it,
/// storing it elsewhere) counts as releasing it. What is left is a resource the type makes and then forgets.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnedFieldNeverReleasedAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.OwnedFieldNeverReleased,
        title: "Owned field never released",
        messageFormat: "{0} '{1}' holds a {2} that '{3}' creates (line {4}), and nothing in '{3}' ever disposes it: {5}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A type that creates a connection, transaction or reader and keeps it in a field owns it: nobody else knows to dispose it. Until the garbage collector finalizes it, a connection stays out of the pool and a transaction stays open on its connection.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.OwnedFieldNeverReleased));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
                return;
            start.RegisterSymbolStartAction(type => AnalyzeType(type, symbols), SymbolKind.NamedType);
        });
    }

    /// <summary>What the type does with one member holding a resource.</summary>
    sealed class MemberUse
    {
        public ResourceKind Kind;
        public int CreatedLine;
        public bool OtherValue;
        public bool Released;
    }

    static void AnalyzeType(SymbolStartAnalysisContext start, NpgsqlSymbols symbols)
    {
        var type = (INamedTypeSymbol)start.Symbol;
        var members = new Dictionary<ISymbol, MemberUse>(SymbolEqualityComparer.Default);
        foreach (var member in type.GetMembers())
        {
            var memberType = member switch
            {
                // Static members are process-lifetime on purpose (a listener's connection); not judged.
                IFieldSymbol { IsImplicitlyDeclared: false, IsStatic: false } field => field.Type,
                IPropertySymbol { IsAbstract: false, IsStatic: false } property when IsAutoProperty(property) => property.Type,
                _ => null,
            };
            if (symbols.KindOfVariableType(memberType) is ResourceKind kind and (ResourceKind.Connection or ResourceKind.Transaction or ResourceKind.DataReader))
                members[member] = new MemberUse { Kind = kind };
        }
        if (members.Count == 0)
            return;

        var gate = new object();
        start.RegisterOperationBlockAction(block =>
        {
            foreach (var root in block.OperationBlocks)
            {
                foreach (var operation in root.DescendantsAndSelf())
                {
                    if (MemberOf(operation, type) is not ISymbol member || !members.TryGetValue(member, out var use))
                        continue;
                    lock (gate)
                        Record(operation, use, symbols);
                }
            }
        });
        start.RegisterSymbolEndAction(end =>
        {
            foreach (var pair in members)
            {
                var use = pair.Value;
                if (use.CreatedLine == 0 || use.OtherValue || use.Released)
                    continue;
                var (noun, what) = use.Kind switch
                {
                    ResourceKind.Connection => ("connection", "it stays out of the pool until the garbage collector finalizes it"),
                    ResourceKind.Transaction => ("transaction", "an uncommitted one stays open on its connection, holding its locks"),
                    _ => ("data reader", "its connection stays busy ('A command is already in progress')"),
                };
                var fix = IsDisposable(type)
                    ? $"dispose it in '{type.Name}''s Dispose or DisposeAsync"
                    : $"make '{type.Name}' disposable (IAsyncDisposable) and dispose it there";
                var location = pair.Key.Locations.Length > 0 ? pair.Key.Locations[0] : Location.None;
                end.ReportDiagnostic(Diagnostic.Create(Descriptor, location,
                    pair.Key is IFieldSymbol ? "Field" : "Property", pair.Key.Name, noun, type.Name, use.CreatedLine, $"{what}; {fix}"));
            }
        });
    }

    /// <summary>A reference to one of the type's own fields or properties (on this instance, or static).</summary>
    static ISymbol? MemberOf(IOperation operation, INamedTypeSymbol type)
    {
        var member = operation switch
        {
            IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation => (ISymbol)field.Field,
            IPropertyReferenceOperation property when property.Instance is null or IInstanceReferenceOperation => property.Property,
            _ => null,
        };
        return member is not null && SymbolEqualityComparer.Default.Equals(member.ContainingType, type) ? member.OriginalDefinition : null;
    }

    static void Record(IOperation reference, MemberUse use, NpgsqlSymbols symbols)
    {
        var parent = reference.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            reference = parent;
            parent = parent.Parent;
        }
        switch (parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference || Operations.Unwrap(assignment.Target) == reference:
                var value = Operations.Unwrap(assignment.Value);
                if (value is null || value.ConstantValue is { HasValue: true, Value: null })
                    return; // `_tx = null;` after disposing it: nothing held
                if (NpgsqlCalls.TryGetCreation(assignment.Value, symbols, _ => null, out _, out _, out _))
                {
                    if (use.CreatedLine == 0)
                        use.CreatedLine = assignment.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                }
                else
                {
                    use.OtherValue = true; // a parameter, another member, a factory: not (only) the type's own
                }
                return;
            case IInvocationOperation call when call.Instance == reference:
                if (call.TargetMethod.Name is "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" or "Complete" or "CompleteAsync")
                    use.Released = true;
                return;
            case IConditionalAccessOperation access when access.Operation == reference:
                foreach (var inner in access.WhenNotNull.DescendantsAndSelf())
                {
                    if (inner is IInvocationOperation { Instance: IConditionalAccessInstanceOperation, TargetMethod.Name: "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" or "Complete" or "CompleteAsync" })
                        use.Released = true;
                }
                return;
            case IArgumentOperation argument when argument.Parent is IInvocationOperation or IObjectCreationOperation:
                // Handed to a method: a helper that disposes it, or a new owner. Npgsql's own APIs only borrow.
                var callee = (argument.Parent as IInvocationOperation)?.TargetMethod ?? (argument.Parent as IObjectCreationOperation)?.Constructor;
                if (callee is null || !NpgsqlSymbols.IsBorrowingLibrary(callee))
                    use.Released = true;
                return;
            case IReturnOperation:
            case IUsingOperation:
            case IVariableInitializerOperation:
            case ISimpleAssignmentOperation:
                use.Released = true; // returned, disposed by a using, or kept elsewhere: someone else may own it now
                return;
        }
    }

    static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: true } backing && SymbolEqualityComparer.Default.Equals(backing.AssociatedSymbol, property))
                return true;
        }
        return false;
    }

    static bool IsDisposable(INamedTypeSymbol type)
    {
        foreach (var contract in type.AllInterfaces)
        {
            if (contract.Name is "IDisposable" or "IAsyncDisposable" && contract.ContainingNamespace?.Name == "System")
                return true;
        }
        return false;
    }
}
