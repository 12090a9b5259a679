using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB010: a field or auto-property that the type fills with a connection, transaction, reader or COPY operation
/// it creates itself (<c>_connection = new NpgsqlConnection(...)</c>, <c>_tx = _connection.BeginTransaction()</c>)
/// and that the type does not release: nothing in the type disposes it, or the type is disposable and its
/// Dispose/DisposeAsync (with the methods of the type they call) never does. Rust: a struct that owns a field drops it.
/// </summary>
/// <remarks>
/// Precision first: a member that is ever assigned something the type did not create (a constructor parameter)
/// is borrowed and not judged, unless an ownership flag decides (then any release in Dispose, under any
/// condition, is enough); a member handed on (returned, stored elsewhere, passed to a method outside the type
/// that is not an Npgsql/ADO.NET/Dapper API) may have a new owner and is not judged either. A transaction or
/// reader is released with the connection it runs on, so a type whose Dispose disposes or closes a connection
/// member is not asked to dispose them too. A release in Dispose counts whatever condition it is under, except
/// two conditions that can be read for sure as skipping it: a flag the type sets when it completes the member
/// (<c>if (_committed) _tx.Dispose();</c>), and an <c>as</c>-cast to a type the stored value never is.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnedFieldNeverReleasedAnalyzer : OwnedMembersRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.OwnedFieldNeverReleased,
        title: "Owned field never released",
        messageFormat: "{0} '{1}' holds a {2} that '{3}' creates (line {4}), {5}: {6}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A type that creates a connection, transaction or reader and keeps it in a field owns it: nobody else knows to dispose it, so its Dispose/DisposeAsync must. Until the garbage collector finalizes it, a connection stays out of the pool and a transaction stays open on its connection.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.OwnedFieldNeverReleased));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(INamedTypeSymbol type, OwnedMembers facts, SymbolAnalysisContext end)
    {
        var disposeEntries = OwnedMembers.DisposeEntries(type);
        var reached = facts.Reachable(disposeEntries.Concat(OwnedMembers.Overrides(type)));
        var connectionReleased = facts.Members.Any(pair => pair.Value.Kind == ResourceKind.Connection
            && (pair.Value.HandedOn || pair.Value.Releases.Any(release => release.Method is not null && reached.Contains(release.Method))));
        var connectionReleasedAnywhere = facts.Members.Any(pair => pair.Value.Kind == ResourceKind.Connection
            && (pair.Value.HandedOn || pair.Value.Releases.Count > 0));
        foreach (var pair in facts.Members)
        {
            var use = pair.Value;
            if (!use.IsOwned || use.HandedOn)
                continue;
            string? verdict;
            if (disposeEntries.Count == 0)
            {
                // Not disposable, or disposable only through a base class we cannot follow: judged only when
                // nothing in the type releases it at all (a Close() the caller is meant to call is a contract).
                if (use.Releases.Count > 0 || (use.Kind != ResourceKind.Connection && connectionReleasedAnywhere))
                    continue;
                verdict = NeverReleased(type, use);
            }
            else
            {
                if (use.Kind != ResourceKind.Connection && connectionReleased)
                    continue; // disposing or closing the connection ends its transaction and reader
                if (use.CompletedIn.Any(reached.Contains))
                    continue; // Dispose rolls it back (or commits it): the transaction ends there
                var inDispose = use.Releases.Where(release => release.Method is not null && reached.Contains(release.Method)).ToList();
                string? skipped = null;
                if (inDispose.Count > 0 && use.FlagDecided)
                    continue; // released under the flag, or in a way we cannot read: the flag's business
                if (inDispose.Count > 0)
                {
                    var reasons = inDispose.Select(release => facts.SkippedBecause(release, use)).ToList();
                    if (reasons.Any(reason => reason is null))
                        continue;
                    skipped = reasons[0];
                }
                var disposeName = DisposeName(type, disposeEntries);
                verdict = skipped is not null
                    ? $"but {disposeName} {skipped}"
                    : use.Releases.Count == 0
                        ? NeverReleased(type, use)
                        : $"but {disposeName} {(disposeEntries.Count > 1 && disposeName.StartsWith("neither") ? "releases" : "does not release")} it";
            }
            if (use.FlagDecided)
                verdict += facts.OwnershipFlag is ISymbol flag ? $", not even when '{flag.Name}' says it owns it" : ", not even the one it creates itself";
            var (noun, what) = use.Kind switch
            {
                ResourceKind.Connection => ("connection", "it stays out of the pool until the garbage collector finalizes it"),
                ResourceKind.Transaction => ("transaction", "an uncommitted one stays open on its connection, holding its locks"),
                _ => ("data reader", "its connection stays busy ('A command is already in progress')"),
            };
            var fix = disposeEntries.Count > 0 || IsDisposable(type)
                ? $"dispose it in '{type.Name}''s {FixTarget(disposeEntries)}"
                : $"make '{type.Name}' disposable (IAsyncDisposable) and dispose it there";
            var location = pair.Key.Locations.Length > 0 ? pair.Key.Locations[0] : Location.None;
            end.ReportDiagnostic(Diagnostic.Create(Descriptor, location,
                pair.Key is IFieldSymbol ? "Field" : "Property", pair.Key.Name, noun, type.Name, use.CreatedLine, verdict, $"{what}; {fix}"));
        }
    }

    static string NeverReleased(INamedTypeSymbol type, OwnedMembers.MemberUse use)
        => use.CompletedIn.Count > 0
            ? $"and '{FirstInSource(use.CompletedIn).Name}' completes it but nothing in '{type.Name}' disposes it"
            : $"and nothing in '{type.Name}' ever disposes it";

    /// <summary>The first in source order (bodies are read concurrently, so the order seen is not stable).</summary>
    static ISymbol FirstInSource(List<ISymbol> methods)
        => methods.OrderBy(m => m.Locations.Length > 0 ? m.Locations[0].SourceTree?.FilePath : null, System.StringComparer.Ordinal)
            .ThenBy(m => m.Locations.Length > 0 ? m.Locations[0].SourceSpan.Start : 0)
            .First();

    /// <summary>"'Session.Dispose'", "neither 'Session.Dispose' nor 'Session.DisposeAsync'", or the Dispose(bool) override.</summary>
    static string DisposeName(INamedTypeSymbol type, List<IMethodSymbol> entries)
    {
        var names = Names(entries);
        if (names.Contains("Dispose(bool)"))
            return $"'{type.Name}.Dispose(bool)'";
        return names.Count switch
        {
            0 => $"'{type.Name}.Dispose'",
            1 => $"'{type.Name}.{names[0]}'",
            _ => $"neither '{type.Name}.{names[0]}' nor '{type.Name}.{names[1]}'",
        };
    }

    static string FixTarget(List<IMethodSymbol> entries)
    {
        var names = Names(entries);
        if (names.Contains("Dispose(bool)"))
            return "Dispose(bool)";
        return names.Count == 1 ? names[0] : "Dispose or DisposeAsync";
    }

    /// <summary>The public dispose methods by name (a DisposeAsyncCore helper only when there is nothing else).</summary>
    static List<string> Names(List<IMethodSymbol> entries)
    {
        var names = entries.Select(Display).Distinct().ToList();
        return names.Count > 1 ? names.Where(name => name != "DisposeAsyncCore").ToList() : names;
    }

    static string Display(IMethodSymbol method)
    {
        var name = method.Name.Substring(method.Name.LastIndexOf('.') + 1);
        return name == "Dispose" && method.Parameters.Length == 1 ? "Dispose(bool)" : name;
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
