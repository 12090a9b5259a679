using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PgBorrow.Benchmarks;

/// <summary>Order statistics and formatting the benchmark programs share (compiled into each of them).</summary>
internal static class Stats
{
    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    public static string Time(double microseconds)
        => microseconds >= 10_000
            ? (microseconds / 1000).ToString("N1", CultureInfo.InvariantCulture) + " ms"
            : microseconds.ToString("N1", CultureInfo.InvariantCulture) + " µs";

    public static string Bytes(double bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (System.IO.IOException)
        {
            return "?";
        }
    }
}
