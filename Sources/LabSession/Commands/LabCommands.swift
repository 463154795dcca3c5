/// The lab's step commands (§1-§10), one file per step.
enum LabCommands {
    static let specs: [CommandSpec] = DataCommands.specs + ModelCommands.specs + ResidualCommands.specs + ModelCommands.countSpecs
        + TrainCommands.specs + EvalCommands.specs + GradientCommands.specs + CheckpointCommands.specs
}
