using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;

namespace PgBorrow.Tests.Package;

/// <summary>The result of one <c>dotnet</c> child process: what ran, how it ended, and everything it printed.</summary>
internal sealed record ProcessResult(string CommandLine, string WorkingDirectory, int ExitCode, bool TimedOut, TimeSpan Elapsed, string Output)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>A description for assertion messages, with the output (or its last lines when it is long).</summary>
    public string Describe(int maxLines = 400)
    {
        var lines = Output.Split('\n');
        var shown = lines.Length <= maxLines
            ? Output
            : $"... ({lines.Length - maxLines} earlier lines omitted)\n" + string.Join('\n', lines.Skip(lines.Length - maxLines));
        var ending = TimedOut ? "was killed after timing out" : $"exited with code {ExitCode}";
        return $"`{CommandLine}` (in {WorkingDirectory}) {ending} after {Elapsed.TotalSeconds:F1} s. Output:\n{shown}";
    }
}

/// <summary>
/// Runs the .NET CLI as a child process, the way a user would from a shell: output captured, a
/// deadline, and none of the MSBuild state of the <c>dotnet test</c> run that started this test.
/// Each child is told not to leave build nodes or a compiler server behind.
/// </summary>
internal static class DotnetProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The dotnet host running this test run, so children use the same SDK installation.</summary>
    static string DotnetPath
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && System.IO.File.Exists(host) ? host : "dotnet";
        }
    }

    public static ProcessResult Run(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(DotnetPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        // `dotnet test` runs inside MSBuild; variables it exports (MSBuildExtensionsPath,
        // MSBuildSDKsPath, MSBUILD_EXE_PATH, ...) must not leak into an unrelated build.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }

        var commandLine = "dotnet " + string.Join(' ', arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.Append(line).Append('\n');
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = !process.WaitForExit((int)(timeout ?? DefaultTimeout).TotalMilliseconds);
        if (timedOut)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }
        }
        // Let the output handlers finish. Bounded, because a grandchild that inherited the pipes
        // (a build node, a compiler server) could keep them open after the CLI itself has exited.
        System.Threading.Tasks.Task.Run(() => process.WaitForExit()).Wait(TimeSpan.FromMinutes(1));
        stopwatch.Stop();

        string text;
        lock (output)
            text = output.ToString();
        return new ProcessResult(commandLine, workingDirectory, timedOut ? -1 : process.ExitCode, timedOut, stopwatch.Elapsed, text);
    }
}
