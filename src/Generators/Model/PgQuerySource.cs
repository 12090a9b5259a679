namespace PgBorrow.Generators.Model;

/// <summary>One generated [PgQuery] file: its hint name and text.</summary>
internal sealed record PgQuerySource(string HintName, string Text);
