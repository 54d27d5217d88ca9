import Foundation

/// The baseline of one resource series over a window and the samples that leave it: a sample is an outlier when its
/// modified z-score is above ``RobustStats/outlierScore`` *and* it is at least `floor` above the median — so a
/// perfectly flat series does not turn a 0.1 % wobble into an anomaly.
public struct SeriesBaseline: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var time: Date
        public var value: Double
    }

    public var count: Int
    public var median: Double
    /// Median absolute deviation (unscaled).
    public var mad: Double
    public var min: Double
    public var max: Double
    /// Values above this are outliers (nil: none can be, e.g. every sample equal, or too few samples).
    public var fence: Double?
    /// High outliers, oldest first.
    public var outliers: [Point]
    /// Theil–Sen slope per minute (nil with fewer than 2 distinct times).
    public var slopePerMinute: Double?

    /// Fewer samples than this give a baseline but no outliers: with 5 points one spike is 20 % of the data.
    public static let minimumForOutliers = 8

    public init?(_ points: [Point], floor: Double) {
        guard !points.isEmpty else { return nil }
        let values = points.map(\.value)
        count = values.count
        median = RobustStats.median(values) ?? 0
        mad = RobustStats.mad(values) ?? 0
        min = values.min() ?? 0
        max = values.max() ?? 0
        if count >= Self.minimumForOutliers, let scores = RobustStats.modifiedZ(values) {
            let cut = median + floor
            fence = RobustStats.upperFence(values).map { Swift.max($0, cut) }
            outliers = zip(points, scores).filter { $0.1 > RobustStats.outlierScore && $0.0.value >= cut }.map(\.0)
        } else {
            fence = nil
            outliers = []
        }
        let t0 = points[0].time
        slopePerMinute = RobustStats.theilSenSlope(points.map { (x: $0.time.timeIntervalSince(t0), y: $0.value) }).map { $0 * 60 }
    }
}
