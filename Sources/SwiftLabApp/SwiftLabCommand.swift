import Foundation
import LabSession
import JupyterKernel

/// Entry point of the `swift-lab` executable: parses the subcommand and hands over to a front end.
public enum SwiftLabCommand {
    public static func main(_ arguments: [String]) {
        let usage = "usage: swift-lab repl | run FILE | kernel -f CONNECTION_FILE | install-kernel | bench"
        guard arguments.count > 1 else {
            print(usage)
            exit(2)
        }
        print(usage)
        exit(2)
    }
}
