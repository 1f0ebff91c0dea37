from casetrail.cli.app import main

main()
