namespace PgBorrow.Generators.Model;

/// <summary>One generated file: its hint name and text.</summary>
internal sealed record PgRowSource(string HintName, string Text);
