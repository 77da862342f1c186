import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// What `--dry-run` prints: the plan, then each job's exact script.
enum DryRun {
    static func render(jobs: [ScheduledJob], pipeline: Pipeline, plan: Plan) -> String {
        var text =
            "Would run \(jobs.count) job\(jobs.count == 1 ? "" : "s") for \(plan.event.rawValue), in this order:\n"
        for job in jobs {
            guard let instance = pipeline.instance(job.id) else { continue }
            var facts: [String] = []
            if !job.waitsFor.isEmpty { facts.append("after \(job.waitsFor.joined(separator: ", "))") }
            if job.gated { facts.append("manual gate") }
            if instance.mutates { facts.append("mutates \(instance.environment ?? "infrastructure")") }
            if !instance.secrets.isEmpty { facts.append("secrets: \(instance.secrets.joined(separator: ", "))") }
            if !instance.tools.isEmpty {
                facts.append("tools: \(instance.tools.map { "\($0.name) \($0.version)" }.joined(separator: ", "))")
            }
            if !instance.receivesFrom.isEmpty {
                facts.append("receives files from \(instance.receivesFrom.joined(separator: ", "))")
            }
            if let workdir = instance.workdir { facts.append("in \(workdir)") }
            if let image = instance.image { facts.append("image \(image) is for CI; here it runs on this machine") }
            text += "\n== \(job.id)\(facts.isEmpty ? "" : " (\(facts.joined(separator: "; ")))")\n"
            text += instance.script
        }
        return text
    }
}
