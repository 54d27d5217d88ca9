import Foundation

/// Robust statistics for a behaviour baseline: the median and the median absolute deviation (MAD) are not dragged
/// along by the spikes they are meant to find, as a mean and standard deviation are.
///
/// Outliers follow Iglewicz and Hoaglin's modified z-score, `M = 0.6745 · (x − median) / MAD`, flagged above 3.5
/// (NIST/SEMATECH e-Handbook 1.3.5.17). When more than half the values are equal the MAD is 0; the score then uses
/// the mean absolute deviation around the median, `M = (x − median) / (1.253314 · MeanAD)`, and when that is 0 too
/// every value is the baseline and nothing is an outlier.
public enum RobustStats {
    /// The cut-off for |M|.
    public static let outlierScore = 3.5

    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    /// Median absolute deviation from the median (unscaled).
    public static func mad(_ values: [Double]) -> Double? {
        guard let m = median(values) else { return nil }
        return median(values.map { abs($0 - m) })
    }

    /// Modified z-scores, in the order of `values`; nil when there are no values.
    public static func modifiedZ(_ values: [Double]) -> [Double]? {
        guard let m = median(values), let mad = mad(values) else { return nil }
        if mad > 0 { return values.map { 0.6745 * ($0 - m) / mad } }
        let meanAD = values.reduce(0) { $0 + abs($1 - m) } / Double(values.count)
        if meanAD > 0 { return values.map { ($0 - m) / (1.253314 * meanAD) } }
        return values.map { _ in 0 }
    }

    /// The smallest value that would count as a high outlier (score above the cut-off), for reports; nil when none can.
    public static func upperFence(_ values: [Double]) -> Double? {
        guard let m = median(values), let mad = mad(values) else { return nil }
        if mad > 0 { return m + outlierScore * mad / 0.6745 }
        let meanAD = values.reduce(0) { $0 + abs($1 - m) } / Double(values.count)
        return meanAD > 0 ? m + outlierScore * 1.253314 * meanAD : nil
    }

    /// Theil–Sen slope: the median of the slopes between every pair of points (x in seconds). Robust to a few wild
    /// points, unlike least squares. Long series are thinned evenly to `maxPoints` first (the pairs grow with n²).
    public static func theilSenSlope(_ points: [(x: Double, y: Double)], maxPoints: Int = 400) -> Double? {
        var p = points
        if p.count > maxPoints {
            let step = Double(p.count - 1) / Double(maxPoints - 1)
            p = (0..<maxPoints).map { points[Int((Double($0) * step).rounded())] }
        }
        var slopes: [Double] = []
        slopes.reserveCapacity(p.count * (p.count - 1) / 2)
        for i in 0..<p.count {
            for j in (i + 1)..<p.count where p[j].x != p[i].x {
                slopes.append((p[j].y - p[i].y) / (p[j].x - p[i].x))
            }
        }
        return median(slopes)
    }
}
