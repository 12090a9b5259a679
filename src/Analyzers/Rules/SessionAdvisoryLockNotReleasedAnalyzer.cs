using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB103: pg_advisory_lock, pg_advisory_lock_shared or pg_try_advisory_lock* without the matching
/// pg_advisory_unlock* on every path, exception paths included; and a runtime <c>PgAdvisoryLock</c>
/// guard that is not disposed (or released) on every path.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SessionAdvisoryLockNotReleasedAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SessionAdvisoryLockNotReleased,
        title: "Session advisory lock not released on every path",
        messageFormat: "The session advisory lock taken by '{0}' on connection '{1}' is not released {2}: session locks outlive transactions and stay with the pooled connection; {3}",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A session-level advisory lock is held until it is unlocked or the session ends; it ignores commit and rollback. A pooled connection's session does not end when it is disposed, so a lock left behind blocks every other holder until the pool reuses and resets that connection. Release it in a finally block, or use pg_advisory_xact_lock inside a transaction.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SessionAdvisoryLockNotReleased));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        var reported = new HashSet<TrackedResource>();
        foreach (var open in report.OpenAtExit)
        {
            if (IsLock(open.Resource) && reported.Add(open.Resource))
                Report(context, open.Resource, $"when the method returns on line {open.ExitLine}");
        }

        var first = new Dictionary<TrackedResource, OpenOnException>();
        foreach (var open in report.OpenOnException)
        {
            if (!IsLock(open.Resource) || reported.Contains(open.Resource))
                continue;
            if (!first.TryGetValue(open.Resource, out var known) || open.Line < known.Line)
                first[open.Resource] = open;
        }
        foreach (var open in first.Values)
            Report(context, open.Resource, $"when '{open.ThrowingOperation}' throws on line {open.Line}");

        foreach (var discarded in report.DiscardedHandles)
        {
            if (discarded.Kind == ResourceKind.AdvisoryLockGuard)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, discarded.Location, discarded.Method, discarded.Connection ?? "?",
                    "anywhere: the PgAdvisoryLock guard it returns is discarded", "keep the guard and dispose it with 'await using'"));
            }
        }
    }

    static bool IsLock(TrackedResource resource)
        => resource.Kind == ResourceKind.AdvisoryLockGuard
        || (resource.Kind == ResourceKind.AdvisoryLock && resource.Location != Location.None);

    static void Report(OperationBlockAnalysisContext context, TrackedResource resource, string when)
    {
        if (resource.Kind == ResourceKind.AdvisoryLockGuard)
        {
            // The guard: named by the runtime method that took it and the local holding it.
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, resource.Location, resource.LockFunction ?? "AdvisoryLockAsync",
                resource.Connection?.Name ?? "?", when, $"dispose the PgAdvisoryLock guard '{resource.Name}' with 'await using'"));
            return;
        }
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, resource.Location, resource.LockFunction, resource.Name, when, "unlock in a 'finally'"));
    }
}
