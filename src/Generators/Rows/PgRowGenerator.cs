using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>
/// The [PgRow] generator: for each partial type marked <c>[PgRow]</c>, a partial declaration that
/// implements <c>PgBorrow.IPgRow&lt;T&gt;</c> with ordinal-cached, typed reads.
/// </summary>
/// <remarks>
/// Only equatable models flow through the pipeline (strings, enums, <see cref="EquatableArray{T}"/>),
/// built from the symbol inside the ForAttributeWithMetadataName transform and never holding a
/// symbol, syntax node, location or compilation. An edit that does not change a row type then yields
/// an equal model, and every later step stays cached. A type that cannot be mapped yields no model
/// and no code; reporting why is the job of an analyzer, not of this pipeline.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class PgRowGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var sources = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                PgRowShapeCheck.AttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => PgRowModelBuilder.Build(syntaxContext, cancellationToken))
            .WithTrackingName(PgRowStepNames.Models)
            .Where(static model => model is not null)
            .WithTrackingName(PgRowStepNames.ValidModels)
            .Select(static (model, _) => new PgRowSource(model!.HintName, PgRowEmitter.Emit(model)))
            .WithTrackingName(PgRowStepNames.Sources);

        context.RegisterSourceOutput(sources, static (output, source) => output.AddSource(source.HintName, source.Text));
    }
}
