using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>
/// <c>generate</c> writes the synthetic project; <c>report</c> reads the build logs of
/// <c>-p:ReportAnalyzer=true -v:d</c> builds and prints the cost table. Both are driven by run.sh.
/// </summary>
internal static class Program
{
    const string Usage = """
        Usage:
          generate --out <dir> --analyzer <PgBorrow.Analyzers.dll> --runtime <PgBorrow.dll>
                   [--methods 2400] [--per-class 50] [--seed 20261125]
          report <build-1.log> [<build-2.log> ...]
        """;

    static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return args.FirstOrDefault() switch
            {
                "generate" => Generate(Options.Parse(args[1..])),
                "report" when args.Length > 1 => CostReport.Print(args[1..]),
                _ => Fail(Usage),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message + "\n" + Usage);
        }
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    static int Generate(Options options)
    {
        var output = Path.GetFullPath(options.Require("out"));
        var analyzer = Path.GetFullPath(options.Require("analyzer"));
        var runtime = Path.GetFullPath(options.Require("runtime"));
        var methods = options.Int("methods", 2400);
        var perClass = options.Int("per-class", 50);
        var seed = options.Int("seed", 20261125);

        var project = SyntheticProject.Create(methods, perClass, seed);
        project.WriteTo(output, analyzer, runtime);

        Console.WriteLine($"Wrote {project.MethodCount} methods in {project.Classes.Count} classes to {output}");
        Console.WriteLine($"  correct: {project.CorrectMethods}, with a bug: {project.MethodCount - project.CorrectMethods}");
        return 0;
    }
}

internal sealed class Options
{
    readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            options.values[args[i][2..]] = args[++i];
        }
        return options;
    }

    public string Require(string name)
        => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback)
        => values.TryGetValue(name, out var value)
            ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--{name} must be a positive integer.")
            : fallback;
}
