using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Queries;

/// <summary>
/// The [PgQuery] generator: for each partial method marked <c>[PgQuery("...")]</c>, its implementation, which
/// runs the statement (placeholders rewritten to <c>$n</c> at build time, parameters bound as typed
/// <c>NpgsqlParameter&lt;T&gt;</c>) through a <c>PgQueryStatement</c> cached in a static field, and reads the
/// result into the declared return type.
/// </summary>
/// <remarks>
/// Only equatable models flow through the pipeline, built from the symbol inside the
/// ForAttributeWithMetadataName transform. A method the generator cannot implement yields no model and
/// no code: the PGB311-PGB316 analyzers, which run the same <see cref="PgQueryMethodCheck"/>, say why.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class PgQueryGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var sources = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PgQueryMethodCheck.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => PgQueryModelBuilder.Build(syntaxContext, cancellationToken))
            .WithTrackingName(PgQueryStepNames.Models)
            .Where(static model => model is not null)
            .WithTrackingName(PgQueryStepNames.ValidModels)
            .Select(static (model, _) => new PgQuerySource(model!.HintName, PgQueryEmitter.Emit(model)))
            .WithTrackingName(PgQueryStepNames.Sources);

        context.RegisterSourceOutput(sources, static (output, source) => output.AddSource(source.HintName, source.Text));
    }
}
