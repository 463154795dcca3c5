import SwiftLabApp

SwiftLabCommand.main(CommandLine.arguments)
