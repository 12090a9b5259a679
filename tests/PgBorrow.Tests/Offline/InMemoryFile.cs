using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PgBorrow.Tests.Offline;

/// <summary>An additional file given to the analyzers, as the build gives them <c>.pgborrow/*.json</c>.</summary>
internal sealed class InMemoryFile(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text, Encoding.UTF8);
}
