using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB111: an advisory lock key computed with a hash .NET randomises per process (<c>string.GetHashCode()</c>,
/// <c>StringComparer.*.GetHashCode</c>, <c>HashCode.Combine</c>, the hash of a record or tuple holding strings).
/// Two instances of a service then lock different keys for the same resource, and the lock excludes nothing
/// between them. Read at the lock: the runtime's <c>AdvisoryLockAsync</c> family, and in a body whose SQL calls a
/// <c>pg_advisory_*</c> function, the command parameters, Dapper parameter objects and interpolated SQL it builds.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LockKeyDiffersBetweenProcessesAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.LockKeyDiffersBetweenProcesses,
        title: "Advisory lock key differs between processes",
        messageFormat: "The advisory lock key comes from '{0}', which .NET randomises per process: another instance of this service computes a different key for the same resource, and the lock excludes nothing between them; use a stable key (a constant, XxHash64 over the UTF-8 bytes, or hashtext() in the SQL)",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "String hash codes in .NET are randomized per process (and HashCode uses a random per-process seed), so they must never be persisted or shared between processes. An advisory lock is only as good as its key: two processes that compute different keys for one resource both get the lock.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LockKeyDiffersBetweenProcesses));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    static readonly ImmutableHashSet<string> s_runtimeLocks = ImmutableHashSet.Create(
        "AdvisoryLockAsync", "TryAdvisoryLockAsync", "AdvisoryXactLockAsync", "TryAdvisoryXactLockAsync");

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is null)
                return;
            var hashHelpers = new UnstableHashHelpers(start.Compilation);
            // Most bodies take no advisory lock: the compiler's own walk tells which do, and only those are read.
            start.RegisterOperationBlockStartAction(block =>
            {
                var takesLock = new LockSeen();
                block.RegisterOperationAction(c =>
                {
                    if (c.Operation.ConstantValue is { HasValue: true, Value: string text } && IsAdvisorySql(text))
                        takesLock.Seen = true;
                }, OperationKind.Literal);
                block.RegisterOperationAction(c =>
                {
                    if (c.Operation is IInvocationOperation invocation && s_runtimeLocks.Contains(invocation.TargetMethod.Name))
                        takesLock.Seen = true;
                }, OperationKind.Invocation);
                block.RegisterOperationBlockEndAction(end =>
                {
                    if (!takesLock.Seen)
                        return;
                    foreach (var root in end.OperationBlocks)
                        AnalyzeBody(end, root, hashHelpers);
                });
            });
        });
    }

    sealed class LockSeen
    {
        public volatile bool Seen;
    }

    static void AnalyzeBody(OperationBlockAnalysisContext context, IOperation body, UnstableHashHelpers helpers)
    {
        List<IOperation>? keys = null;
        var locksInSql = false;
        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: string text } } when IsAdvisorySql(text):
                    locksInSql = true;
                    break;
                case IInterpolatedStringTextOperation { Text: ILiteralOperation { ConstantValue.Value: string piece } } when IsAdvisorySql(piece):
                    locksInSql = true;
                    break;
                case IInvocationOperation invocation when s_runtimeLocks.Contains(invocation.TargetMethod.Name) && IsPgBorrow(invocation.TargetMethod):
                    foreach (var argument in invocation.Arguments)
                    {
                        if (argument.Parameter?.Name == "key")
                            (keys ??= new List<IOperation>()).Add(argument.Value);
                    }
                    break;
            }
        }
        if (locksInSql)
        {
            foreach (var operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    // cmd.Parameters.AddWithValue(name, value), Add(new NpgsqlParameter(name, value)), new NpgsqlParameter<long> { TypedValue = v }
                    case IArgumentOperation { Parameter.Name: "value" or "parameterValue" } value when IsParameterApi(value.Parent):
                        (keys ??= new List<IOperation>()).Add(value.Value);
                        break;
                    case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Value" or "TypedValue" or "NpgsqlValue" } property } assignment
                        when property.Property.ContainingType?.Name.Contains("Parameter") == true:
                        (keys ??= new List<IOperation>()).Add(assignment.Value);
                        break;
                    // Dapper: conn.Execute("SELECT pg_advisory_lock(@key)", new { key = ... })
                    case IAnonymousObjectCreationOperation anonymous when anonymous.Parent is IArgumentOperation or IConversionOperation:
                        foreach (var initializer in anonymous.Initializers)
                        {
                            if (initializer is ISimpleAssignmentOperation member)
                                (keys ??= new List<IOperation>()).Add(member.Value);
                        }
                        break;
                    case IInterpolationOperation hole:
                        (keys ??= new List<IOperation>()).Add(hole.Expression);
                        break;
                }
            }
        }
        if (keys is null)
            return;
        var reported = new HashSet<IOperation>();
        foreach (var key in keys)
        {
            if (UnstableHashIn(key, helpers, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0) is IOperation hash && reported.Add(hash))
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, key.Syntax.GetLocation(), Operations.Shorten(hash.Syntax.ToString())));
        }
    }

    static bool IsAdvisorySql(string text)
        => text.IndexOf("pg_advisory", System.StringComparison.OrdinalIgnoreCase) >= 0
            || text.IndexOf("pg_try_advisory", System.StringComparison.OrdinalIgnoreCase) >= 0;

    static bool IsPgBorrow(IMethodSymbol method)
        => method.ContainingNamespace?.ToDisplayString() is string ns && (ns == "PgBorrow" || ns.StartsWith("PgBorrow.", System.StringComparison.Ordinal));

    static bool IsParameterApi(IOperation? call)
        => call switch
        {
            IInvocationOperation invocation => invocation.TargetMethod.Name is "AddWithValue" or "Add" && invocation.TargetMethod.ContainingType?.Name.Contains("Parameter") == true,
            IObjectCreationOperation creation => creation.Type?.Name.Contains("Parameter") == true,
            _ => false,
        };

    /// <summary>
    /// The per-process hash the value is computed from: directly, through conversions and arithmetic, through
    /// locals of this body, or through a helper of the compilation that returns one.
    /// </summary>
    static IOperation? UnstableHashIn(IOperation? value, UnstableHashHelpers? helpers, HashSet<ILocalSymbol> visiting, int depth)
    {
        if (value is null || depth > 8)
            return null;
        switch (value)
        {
            case IConversionOperation conversion:
                return UnstableHashIn(conversion.Operand, helpers, visiting, depth + 1);
            case IParenthesizedOperation parenthesized:
                return UnstableHashIn(parenthesized.Operand, helpers, visiting, depth + 1);
            case IBinaryOperation binary:
                return UnstableHashIn(binary.LeftOperand, helpers, visiting, depth + 1) ?? UnstableHashIn(binary.RightOperand, helpers, visiting, depth + 1);
            case IUnaryOperation unary:
                return UnstableHashIn(unary.Operand, helpers, visiting, depth + 1);
            case IInvocationOperation invocation when UnstableHashHelpers.IsUnstableHash(invocation):
                return invocation;
            case IInvocationOperation call when helpers is not null && helpers.ReturnsUnstableHash(call.TargetMethod):
                return call;
            case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member when helpers is not null && helpers.HoldsUnstableHash(member.Member):
                return member;
            case IInvocationOperation { TargetMethod.Name: "Abs" or "Max" or "Min" } math when math.TargetMethod.ContainingType?.Name == "Math":
                foreach (var argument in math.Arguments)
                {
                    if (UnstableHashIn(argument.Value, helpers, visiting, depth + 1) is IOperation inner)
                        return inner;
                }
                return null;
            case ILocalReferenceOperation local when visiting.Add(local.Local):
                foreach (var assigned in AssignmentsOf(local))
                {
                    if (UnstableHashIn(assigned, helpers, visiting, depth + 1) is IOperation inner)
                        return inner;
                }
                return null;
        }
        return null;
    }

    static IEnumerable<IOperation> AssignmentsOf(ILocalReferenceOperation local)
    {
        var body = (IOperation)local;
        while (body.Parent is not null)
            body = body.Parent;
        foreach (var operation in body.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local)
                && (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { Value: { } initial })
                yield return initial;
            else if (operation is IAssignmentOperation { Target: ILocalReferenceOperation target } assignment && SymbolEqualityComparer.Default.Equals(target.Local, local.Local))
                yield return assignment.Value;
        }
    }

    /// <summary>
    /// Helpers of the compilation that return a per-process hash (<c>static long KeyOf(string name) => name.GetHashCode();</c>),
    /// and fields or properties its type fills with one (an options object's <c>AdvisoryLockKey = Math.Abs(name.GetHashCode())</c>).
    /// </summary>
    sealed class UnstableHashHelpers
    {
        readonly Compilation _compilation;
        readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, bool> _known = new(SymbolEqualityComparer.Default);
        readonly System.Collections.Concurrent.ConcurrentDictionary<ISymbol, bool> _members = new(SymbolEqualityComparer.Default);

        public UnstableHashHelpers(Compilation compilation) => _compilation = compilation;

        /// <summary>
        /// <c>s.GetHashCode()</c> on a string, <c>StringComparer.X.GetHashCode(s)</c>, <c>HashCode.Combine(...)</c> /
        /// <c>ToHashCode()</c>, and <c>GetHashCode()</c> of a record or tuple that holds a string: all seeded per process.
        /// </summary>
        public static bool IsUnstableHash(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.ContainingType is { Name: "HashCode", ContainingNamespace.Name: "System" } && method.Name is "Combine" or "ToHashCode")
                return true;
            if (method.Name != "GetHashCode")
                return false;
            if (method.ContainingType is { Name: "StringComparer" or "EqualityComparer" } && method.Parameters.Length == 1)
                return method.Parameters[0].Type.SpecialType is SpecialType.System_String or SpecialType.System_Object
                    && invocation.Arguments[0].Value is { } hashed && Unwrapped(hashed).Type?.SpecialType == SpecialType.System_String;
            var receiver = invocation.Instance is null ? null : Unwrapped(invocation.Instance).Type;
            return receiver is not null && HoldsText(receiver, 0);
        }

        static IOperation Unwrapped(IOperation operation) => Operations.Unwrap(operation) ?? operation;

        /// <summary>A string, or a record, tuple or anonymous type with a string among its fields (one level down).</summary>
        static bool HoldsText(ITypeSymbol type, int depth)
        {
            if (type.SpecialType == SpecialType.System_String)
                return true;
            if (depth > 0 || !(type.IsRecord || type.IsTupleType || type.IsAnonymousType))
                return false;
            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol field when !field.IsStatic => field.Type,
                    IPropertySymbol property when !property.IsStatic => property.Type,
                    _ => null,
                };
                if (memberType is not null && HoldsText(memberType, depth + 1))
                    return true;
            }
            return false;
        }

        public bool ReturnsUnstableHash(IMethodSymbol method)
        {
            method = method.OriginalDefinition;
            if (method.DeclaringSyntaxReferences.Length != 1 || method.ReturnType.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64))
                return false;
            return _known.GetOrAdd(method, Read);
        }

        /// <summary>
        /// A field or property of this compilation that its own type assigns (initializer, constructor, any method) a
        /// per-process hash: every key read from it may be one. Read once per member; only direct hashes count.
        /// </summary>
        public bool HoldsUnstableHash(ISymbol member)
        {
            member = member.OriginalDefinition;
            var type = member switch
            {
                IFieldSymbol field => field.Type,
                IPropertySymbol property => property.Type,
                _ => null,
            };
            if (type?.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64)
                || member.ContainingType is null || member.ContainingType.DeclaringSyntaxReferences.Length == 0)
                return false;
            return _members.GetOrAdd(member, ReadMember);
        }

        bool ReadMember(ISymbol member)
        {
            foreach (var reference in member.ContainingType.DeclaringSyntaxReferences)
            {
                var declaration = reference.GetSyntax();
                if (!_compilation.ContainsSyntaxTree(declaration.SyntaxTree))
                    continue;
#pragma warning disable RS1030 // The member's stores, read once per member and compilation.
                var model = _compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
                foreach (var node in declaration.DescendantNodes())
                {
                    // Initializers of the member itself, and assignments to it anywhere in the type.
                    IOperation? value = null;
                    if (node is Microsoft.CodeAnalysis.CSharp.Syntax.EqualsValueClauseSyntax initializer
                        && model.GetOperation(initializer) is ISymbolInitializerOperation symbolInitializer
                        && IsInitializerOf(symbolInitializer, member))
                        value = symbolInitializer.Value;
                    else if (node is Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax
                        && model.GetOperation(node) is IAssignmentOperation { Target: IMemberReferenceOperation target } assignment
                        && SymbolEqualityComparer.Default.Equals(target.Member.OriginalDefinition, member))
                        value = assignment.Value;
                    if (value is not null && UnstableHashIn(value, null, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0) is not null)
                        return true;
                }
            }
            return false;
        }

        static bool IsInitializerOf(ISymbolInitializerOperation initializer, ISymbol member)
            => initializer switch
            {
                IFieldInitializerOperation field => field.InitializedFields.Any(f => SymbolEqualityComparer.Default.Equals(f.OriginalDefinition, member)),
                IPropertyInitializerOperation property => property.InitializedProperties.Any(p => SymbolEqualityComparer.Default.Equals(p.OriginalDefinition, member)),
                _ => false,
            };

        bool Read(IMethodSymbol method)
        {
            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
            if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
                return false;
#pragma warning disable RS1030 // A helper's returns, read once per method and compilation.
            var body = _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
            if (body is null)
                return false;
            // Only direct hashes count inside a helper (no helper of a helper): cycle-safe by construction.
            foreach (var operation in body.Descendants())
            {
                if (operation is IReturnOperation { ReturnedValue: { } returned } && Operations.IsInBody(operation, body)
                    && UnstableHashIn(returned, null, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0) is not null)
                    return true;
            }
            return false;
        }
    }
}
