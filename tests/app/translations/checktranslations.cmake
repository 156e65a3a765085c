# Runs lupdate on a copy of a .ts file and fails if the copy has messages without a
# translation (new source texts) or translations whose source text is gone (vanished or
# obsolete). Arguments: -DLUPDATE=... -DSOURCES_LIST=file -DTS_FILE=... -DWORK_DIR=...
# [-DPLURAL_ONLY=ON]
get_filename_component(name "${TS_FILE}" NAME)
set(copy "${WORK_DIR}/${name}")
file(MAKE_DIRECTORY "${WORK_DIR}")
configure_file("${TS_FILE}" "${copy}" COPYONLY)
set(options -locations none)
if(PLURAL_ONLY)
    list(APPEND options -pluralonly)
endif()
execute_process(COMMAND "${LUPDATE}" ${options} "@${SOURCES_LIST}" -ts "${copy}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${result}):\n${output}")
endif()
file(READ "${copy}" text)
set(problems "")
foreach(kind unfinished vanished obsolete)
    string(REGEX MATCHALL "<source>[^<]*</source>[^<]*(<comment>[^<]*</comment>[^<]*)?<translation type=\"${kind}\""
        found "${text}")
    foreach(entry IN LISTS found)
        string(REGEX REPLACE "^<source>([^<]*)</source>.*" "\\1" source "${entry}")
        string(APPEND problems "  ${kind}: ${source}\n")
    endforeach()
endforeach()
if(problems)
    message(FATAL_ERROR "${name} is out of date with the code. Run the update_translations "
        "target, then translate or remove these messages:\n${problems}")
endif()
message(STATUS "${name}: every message is translated")
