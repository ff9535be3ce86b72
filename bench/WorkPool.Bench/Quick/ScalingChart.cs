using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The chart of <c>quick --sweep</c>: one panel per workload, speedup over sequential against
/// thread count (log scale), WorkPool and TPL, with the machine's capacity line as the ceiling.
/// Drawn with ScottPlot (SkiaSharp, no display needed) straight onto an SVG canvas.
/// </summary>
internal static class ScalingChart
{
    private const int Columns = 2;
    private const int PanelWidth = 560;
    private const int PanelHeight = 340;

    internal static void WriteSvg(string path, IReadOnlyList<int> counts, ScalingSweep.SweepResults results, IReadOnlyList<string> workloads)
    {
        // Thread counts in increasing order on a log2 axis, labelled with the counts themselves.
        int[] threads = [.. counts.Order()];
        double[] xs = [.. threads.Select(static n => Math.Log2(n))];
        string[] labels = [.. threads.Select(static n => n.ToString(CultureInfo.InvariantCulture))];
        double[] capacity = [.. threads.Select(n => results.Capacity(n) ?? double.NaN)];

        var plots = new List<Plot>();
        foreach (string workload in workloads)
        {
            var plot = new Plot();
            AddLine(plot, xs, [.. threads.Select(n => results.Speedup(n, workload, Contender.WorkPool) ?? double.NaN)], "WorkPool", Colors.C0, LinePattern.Solid, markers: true);
            AddLine(plot, xs, [.. threads.Select(n => results.Speedup(n, workload, Contender.Tpl) ?? double.NaN)], "TPL", Colors.C1, LinePattern.Solid, markers: true);
            AddLine(plot, xs, capacity, "capacity (plain threads)", Colors.Gray, LinePattern.Dashed, markers: false);
            plot.Add.HorizontalLine(1, width: 1, color: Colors.Black.WithAlpha(0.3), pattern: LinePattern.Dotted);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, labels);
            plot.Axes.SetLimitsX(xs[0] - 0.25, xs[^1] + 0.25);
            plot.Axes.SetLimitsY(0, Math.Max(2, MaxOf(plot) * 1.1));
            plot.Title(workload);
            plot.XLabel("threads");
            plot.YLabel("speedup over sequential");
            plot.ShowLegend(Alignment.UpperLeft);
            plots.Add(plot);
        }

        // Panels on a grid, drawn one by one on a white page (ScottPlot's Multiplot leaves an
        // unfilled cell black in SVG).
        int rows = (plots.Count + Columns - 1) / Columns;
        int width = Columns * PanelWidth;
        int height = rows * PanelHeight;
        using FileStream stream = File.Create(path);
        using (SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            using (var white = new SKPaint { Color = SKColors.White })
            {
                canvas.DrawRect(0, 0, width, height, white);
            }

            for (int i = 0; i < plots.Count; i++)
            {
                canvas.Save();
                canvas.Translate(i % Columns * PanelWidth, i / Columns * PanelHeight);
                plots[i].RenderManager.ClearCanvasBeforeEachRender = false;
                plots[i].RenderManager.Render(canvas, new PixelRect(0, PanelWidth, PanelHeight, 0));
                canvas.Restore();
            }

            // The SVG is complete only once the canvas is disposed (before the stream).
        }
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern, bool markers)
    {
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markers ? 6 : 0;
    }

    private static double MaxOf(Plot plot)
    {
        double max = 0;
        foreach (ScottPlot.Plottables.Scatter scatter in plot.GetPlottables<ScottPlot.Plottables.Scatter>())
        {
            foreach (Coordinates point in scatter.Data.GetScatterPoints())
            {
                if (double.IsFinite(point.Y))
                {
                    max = Math.Max(max, point.Y);
                }
            }
        }

        return max;
    }
}
