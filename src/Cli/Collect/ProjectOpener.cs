using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.MSBuild;

namespace PgBorrow.Cli.Collect;

/// <summary>
/// The compilation of the project to prepare. A <c>.csproj</c> is opened with Roslyn's MSBuild workspace, so its
/// package references (Npgsql, Dapper, PgBorrow) bind and its source generators run, as in a build; a folder, or a
/// project MSBuild cannot open (not restored, an SDK that cannot be found), falls back to
/// <see cref="ProjectSources.FromFolder"/>, and the reason is printed.
/// </summary>
public static class ProjectOpener
{
    private static readonly object RegisterGate = new();

    public static async Task<Compilation> OpenAsync(string? projectFile, string projectFolder, TextWriter output, CancellationToken cancellationToken)
    {
        if (projectFile is null)
            return WithPgBorrowGenerators(ProjectSources.FromFolder(projectFolder), cancellationToken);
        try
        {
            RegisterMSBuild();
            return WithPgBorrowGenerators(await MSBuildProject.CompileAsync(projectFile, cancellationToken), cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await output.WriteLineAsync($"pgborrow prepare: cannot open {Path.GetFileName(projectFile)} with MSBuild ({error.Message.Trim()}); reading the *.cs files of its folder instead (Dapper calls are not seen)");
            return WithPgBorrowGenerators(ProjectSources.FromFolder(projectFolder), cancellationToken);
        }
    }

    /// <summary>
    /// The compilation with PgBorrow's generated code: a <c>[PgRow]</c> type implements its reader interface only in
    /// generated code, and without it <c>QueryAsync&lt;OrderRow&gt;(...)</c> does not bind and its statement is not
    /// found. The generators run here unless their output is already there (a workspace that ran them).
    /// </summary>
    private static Compilation WithPgBorrowGenerators(Compilation compilation, CancellationToken cancellationToken)
    {
        if (compilation.SyntaxTrees.Any(tree => tree.FilePath.Contains("PgBorrow.Generators", StringComparison.Ordinal)))
            return compilation;
        var parseOptions = compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions ?? CSharpParseOptions.Default;
        var driver = CSharpGeneratorDriver.Create(
            [new PgBorrow.Generators.Rows.PgRowGenerator().AsSourceGenerator(), new PgBorrow.Generators.Queries.PgQueryGenerator().AsSourceGenerator(),
             new PgBorrow.Generators.Transactions.PgTransactionGenerator().AsSourceGenerator()],
            parseOptions: parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _, cancellationToken);
        return generated;
    }

    /// <summary>Points the MSBuild assemblies at the installed .NET SDK's, once per process and before any MSBuild type loads.</summary>
    private static void RegisterMSBuild()
    {
        lock (RegisterGate)
        {
            if (!MSBuildLocator.IsRegistered)
                MSBuildLocator.RegisterDefaults();
        }
    }

    /// <summary>
    /// Kept apart from <see cref="OpenAsync"/>: the JIT loads the MSBuild assemblies a method uses when it compiles
    /// the method, and they must load from the SDK the locator registered, so only after registering.
    /// </summary>
    private static class MSBuildProject
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static async Task<Compilation> CompileAsync(string projectFile, CancellationToken cancellationToken)
        {
            using var workspace = MSBuildWorkspace.Create();
            var project = await workspace.OpenProjectAsync(projectFile, cancellationToken: cancellationToken);
            // A failure (the project is not restored, a reference cannot be resolved) would leave calls unbound:
            // better the plain files, said out loud, than a compilation that silently finds less.
            if (workspace.Diagnostics.FirstOrDefault(d => d.Kind == WorkspaceDiagnosticKind.Failure) is { } failure)
                throw new InvalidOperationException(failure.Message);
            return await project.GetCompilationAsync(cancellationToken)
                ?? throw new InvalidOperationException("the project has no C# compilation");
        }
    }
}
