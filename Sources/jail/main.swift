import JailCLI

JailTool.main(CommandLine.arguments)
