using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Transactions;

/// <summary>
/// The [PgTransaction] generator: for each partial method marked <c>[PgTransaction]</c>, its implementation,
/// which runs the body method through the runtime's state-passing <c>InTransactionAsync</c> with a static
/// lambda and the parameters as state (no closure per call) and options cached in a static field.
/// </summary>
/// <remarks>
/// Only equatable models flow through the pipeline, built from the symbol inside the
/// ForAttributeWithMetadataName transform. A method the generator cannot implement yields no model and
/// no code: the PGB321-PGB325 analyzers, which run the same <see cref="PgTransactionMethodCheck"/>, say why.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class PgTransactionGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var sources = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PgTransactionMethodCheck.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => PgTransactionModelBuilder.Build(syntaxContext, cancellationToken))
            .WithTrackingName(PgTransactionStepNames.Models)
            .Where(static model => model is not null)
            .WithTrackingName(PgTransactionStepNames.ValidModels)
            .Select(static (model, _) => new PgTransactionSource(model!.HintName, PgTransactionEmitter.Emit(model)))
            .WithTrackingName(PgTransactionStepNames.Sources);

        context.RegisterSourceOutput(sources, static (output, source) => output.AddSource(source.HintName, source.Text));
    }
}
