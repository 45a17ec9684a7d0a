# run_golden.cmake - compare `edigate validate CASE` (stdout, exit code) with CASE's .expected file.
# scripts/update-golden rewrites the expectations; review the diff before committing.
get_filename_component(dir ${CASE} DIRECTORY)
get_filename_component(name ${CASE} NAME_WE)
get_filename_component(file ${CASE} NAME)
execute_process(COMMAND ${EDIGATE} validate ${file} WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
set(actual "exit ${rc}\n${out}")
file(READ ${dir}/${name}.expected expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${dir}/${name}.actual "${actual}")
  message(FATAL_ERROR "golden mismatch for ${file}; see ${name}.actual\n--- expected\n${expected}\n--- actual\n${actual}")
endif()
